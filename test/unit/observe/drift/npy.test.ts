import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNpy, parseNpy } from '../../../../src/observe/drift/npy.js';

/** A .npy file as NumPy writes it: magic, version, header length, dict header padded to 64, data. */
function npy(header: string, data: Uint8Array, major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  let text = header;
  text += ' '.repeat((64 - ((prefix + text.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), prefix);
  out.set(data, prefix + text.length);
  return out;
}

const bytesOf = (array: Float32Array | Float64Array): Uint8Array => new Uint8Array(array.buffer);

describe('parseNpy', () => {
  test('reads a float32 array with the header NumPy writes', () => {
    const file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", bytesOf(Float32Array.of(1, 2, 3, 4, 5, 6.5)));
    const array = parseNpy(file);
    assert.equal(array.dtype, 'float32');
    assert.deepEqual(array.shape, [2, 3]);
    assert.deepEqual([...array.data], [1, 2, 3, 4, 5, 6.5]);
  });

  test('reads float64, a 1-d shape, and format version 2', () => {
    const file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytesOf(Float64Array.of(0.1, -2, 1e300)), 2);
    const array = parseNpy(file);
    assert.equal(array.dtype, 'float64');
    assert.deepEqual(array.shape, [3]);
    assert.deepEqual([...array.data], [0.1, -2, 1e300]);
  });

  test('reads data that starts at an offset not aligned for its type', () => {
    const inner = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", bytesOf(Float64Array.of(42)));
    const shifted = new Uint8Array(inner.length + 3);
    shifted.set(inner, 3);
    assert.deepEqual([...parseNpy(shifted.subarray(3)).data], [42]);
  });

  test('round-trips what encodeNpy writes', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i / 3);
    const array = parseNpy(encodeNpy({ shape: [2, 3, 4], data }));
    assert.deepEqual(array.shape, [2, 3, 4]);
    assert.deepEqual([...array.data], [...data]);
  });

  test('rejects a file without the NumPy magic', () => {
    assert.throws(() => parseNpy(new TextEncoder().encode('{"shape": [1]}')), /no \\x93NUMPY magic/);
  });

  test('rejects big-endian and integer dtypes, naming the dtype', () => {
    assert.throws(() => parseNpy(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4))), /'>f4' is not supported/);
    assert.throws(() => parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8))), /'<i8' is not supported/);
  });

  test('rejects Fortran-ordered data', () => {
    assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16))), /Fortran order/);
  });

  test('rejects data shorter than its shape says', () => {
    assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", new Uint8Array(8))), /needs 40 bytes, the file has 8/);
  });
});
