/**
 * NumPy `.npy` files (format versions 1–3: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
 * read without NumPy: the magic `\x93NUMPY`, a version, a header length (uint16 LE for 1.x,
 * uint32 LE for 2.x/3.x), then an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (450, 64), }` padded to a 64-byte boundary,
 * then the data. Little-endian float32 and float64 only (what reference data is); C order only.
 */

export interface NpyArray {
  readonly dtype: 'float32' | 'float64';
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What the header may declare, and what each dtype means here. */
const DTYPES: Readonly<Record<string, { dtype: NpyArray['dtype']; size: number }>> = {
  '<f4': { dtype: 'float32', size: 4 },
  '<f8': { dtype: 'float64', size: 8 },
};

function field(header: string, key: string): string {
  const match = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  if (!match?.[1]) throw new Error(`.npy header has no '${key}': ${header.trim()}`);
  return match[1];
}

function parseShape(text: string): number[] {
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  return inner
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new Error(`.npy shape has a non-integer dimension '${s}'`);
      return Number.parseInt(s, 10);
    });
}

/** Parses a whole .npy file. Throws an Error saying what is wrong with it. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('.npy file is truncated in its header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else throw new Error(`.npy format version ${major}.${bytes[7]} is not supported (1.0–3.0 are)`);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new Error('.npy file is truncated in its header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = field(header, 'descr').slice(1, -1);
  const type = DTYPES[descr];
  if (!type) throw new Error(`.npy dtype '${descr}' is not supported: use little-endian float32 ('<f4') or float64 ('<f8')`);
  if (field(header, 'fortran_order') !== 'False') throw new Error('.npy data in Fortran order is not supported: save a C-ordered array');
  const shape = parseShape(field(header, 'shape'));
  const count = shape.reduce((n, d) => n * d, 1);
  const byteLength = count * type.size;
  if (bytes.length - dataStart < byteLength) {
    throw new Error(`.npy data is truncated: shape [${shape.join(', ')}] needs ${byteLength} bytes, the file has ${bytes.length - dataStart}`);
  }
  // Copy: the data offset need not be aligned for a typed-array view of the file's buffer.
  const buffer = bytes.slice(dataStart, dataStart + byteLength).buffer;
  const data = type.dtype === 'float32' ? new Float32Array(buffer) : new Float64Array(buffer);
  return { dtype: type.dtype, shape, data };
}

/** Writes a C-ordered little-endian .npy (version 1.0); tests and tools use it. */
export function encodeNpy(array: { shape: readonly number[]; data: Float32Array | Float64Array }): Uint8Array {
  const descr = array.data instanceof Float32Array ? '<f4' : '<f8';
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), 10 + header.length);
  return out;
}
