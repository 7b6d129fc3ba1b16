/**
 * Binary tensor blobs ⇄ tensor storage (reference/v2-protocol.md §2, §1.7).
 *
 * Blobs are little-endian, row-major, unpadded; BOOL is one byte per element; FP16/BF16 are raw
 * 16-bit words; BYTES is, per element, a 4-byte little-endian uint32 length then the bytes.
 * We assume a little-endian host (x86-64, arm64), as onnxruntime does.
 */
import { ARRAY_CTOR, ELEMENT_SIZE, type DataType } from '../../types/datatype.js';
import type { Tensor, TensorData } from '../../types/tensor.js';
import { ServingError } from '../../errors/serving-error.js';

/** Bytes a fixed-size tensor of `count` elements takes; undefined for BYTES (variable). */
export function fixedByteSize(datatype: DataType, count: number): number | undefined {
  return datatype === 'BYTES' ? undefined : count * ELEMENT_SIZE[datatype];
}

/**
 * Decode one input's blob (exactly its `binary_data_size` bytes) into storage the caller owns.
 * The source may be a view into a pooled or unaligned Buffer, so the bytes are always copied into
 * a fresh, aligned ArrayBuffer that can be transferred to a worker. The caller has already checked
 * that a fixed-size blob has count × element-size bytes.
 */
export function readBinaryTensor(input: string, datatype: DataType, count: number, blob: Uint8Array): TensorData {
  if (datatype === 'BYTES') return readBytesElements(input, count, blob);
  const out = new ARRAY_CTOR[datatype](count);
  new Uint8Array(out.buffer, 0, blob.byteLength).set(blob);
  return out;
}

/**
 * Split a length-prefixed BYTES blob into `count` elements. All elements are views into one fresh
 * copy of the blob (one ArrayBuffer: a structured clone copies it once).
 */
function readBytesElements(input: string, count: number, blob: Uint8Array): Uint8Array[] {
  if (count * 4 > blob.byteLength) {
    // Every element takes at least its 4-byte prefix: refuse before allocating `count` slots.
    const detail = `the shape needs ${count} elements (at least ${count * 4} bytes) but the data has ${blob.byteLength} bytes`;
    throw new ServingError('LS_ERR_BINARY_BYTES_ELEMENT', { input, index: Math.floor(blob.byteLength / 4), detail });
  }
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  const view = new DataView(copy.buffer);
  const out = new Array<Uint8Array>(count);
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const left = copy.byteLength - offset;
    if (left < 4) {
      const detail =
        left === 0
          ? `the shape needs ${count} elements but the data ends after ${index}`
          : `expected a 4-byte length prefix, got ${left} bytes`;
      throw new ServingError('LS_ERR_BINARY_BYTES_ELEMENT', { input, index, detail });
    }
    const length = view.getUint32(offset, true);
    offset += 4;
    if (length > copy.byteLength - offset) {
      const detail = `length prefix says ${length} bytes, but only ${copy.byteLength - offset} remain`;
      throw new ServingError('LS_ERR_BINARY_BYTES_ELEMENT', { input, index, detail });
    }
    out[index] = copy.subarray(offset, offset + length);
    offset += length;
  }
  if (offset !== copy.byteLength) {
    const detail = `${copy.byteLength - offset} bytes left after the ${count} elements the shape holds`;
    throw new ServingError('LS_ERR_BINARY_BYTES_ELEMENT', { input, index: count, detail });
  }
  return out;
}

/**
 * The binary-protocol bytes of a tensor. Fixed-size types are a view on the tensor's own buffer
 * (no copy: the caller must not mutate the tensor until the bytes are sent); BYTES elements are
 * length-prefixed into one new buffer.
 */
export function tensorBytes(tensor: Tensor): Uint8Array {
  return storageBytes(tensor.data);
}

function storageBytes(data: TensorData): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let size = 0;
  for (const item of data) size += 4 + item.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const item of data) {
    view.setUint32(offset, item.byteLength, true);
    out.set(item, offset + 4);
    offset += 4 + item.byteLength;
  }
  return out;
}
