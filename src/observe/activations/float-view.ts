import type { Tensor } from '../../types/tensor.js';
import type { FloatData } from './layer-summary.js';

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 half (raw 16-bit word) → number. */
export function halfToNumber(word: number): number {
  const sign = word & 0x8000 ? -1 : 1;
  const exp = (word >> 10) & 0x1f;
  const frac = word & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 (raw 16-bit word) → number: the upper half of a float32. */
export function bfloat16ToNumber(word: number): number {
  scratch.setUint32(0, word << 16);
  return scratch.getFloat32(0);
}

/**
 * A tensor's elements as floats for summarising: FP32/FP64 as they are (no copy), FP16/BF16
 * decoded from their raw words, integer types converted. Null for BOOL and BYTES, which have no
 * activation distribution worth a histogram.
 */
export function floatView(tensor: Tensor): FloatData | null {
  const { data, datatype } = tensor;
  if (Array.isArray(data) || datatype === 'BOOL' || datatype === 'BYTES') return null;
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  const out = new Float32Array(data.length);
  if (datatype === 'FP16' || datatype === 'BF16') {
    const decode = datatype === 'FP16' ? halfToNumber : bfloat16ToNumber;
    for (let i = 0; i < data.length; i++) out[i] = decode(data[i] as number);
    return out;
  }
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}
