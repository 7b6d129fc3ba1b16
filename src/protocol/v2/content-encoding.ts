/**
 * Request/response body compression for infer (reference/v2-protocol.md §2.2): gzip and deflate
 * (zlib stream) both ways, identity otherwise. Synchronous zlib: the caller decides which thread
 * pays for it.
 */
import { deflateSync, gzipSync, inflateRawSync, unzipSync } from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';
import { ServingError } from '../../errors/serving-error.js';

export type ResponseEncoding = 'identity' | 'gzip' | 'deflate';

export interface DecompressOptions {
  /** Largest decompressed body accepted (a zip bomb stops here). Default: the largest Buffer. */
  readonly maxBytes?: number;
}

const SUPPORTED = 'gzip, deflate or identity';

function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Decode a request body by its `Content-Encoding`. `gzip` and `deflate` are inflated with zlib's
 * auto-detection, as Triton does (`inflateInit2(15|32)`); a raw deflate stream is accepted too.
 * Absent, empty or `identity` → the body itself.
 * @throws ServingError LS_ERR_CONTENT_ENCODING_UNSUPPORTED (unsupported) for any other coding,
 *   LS_ERR_CONTENT_ENCODING for a corrupt stream, LS_ERR_REQUEST_BODY_TOO_LARGE past `maxBytes`.
 */
export function decompressBody(
  body: Buffer,
  contentEncoding: string | undefined,
  options: DecompressOptions = {},
): Buffer {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return body;
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') {
    throw new ServingError('LS_ERR_CONTENT_ENCODING_UNSUPPORTED', {
      received: contentEncoding ?? '',
      expected: SUPPORTED,
    });
  }
  const limit = options.maxBytes ?? bufferConstants.MAX_LENGTH;
  try {
    return unzipSync(body, { maxOutputLength: limit });
  } catch (error) {
    if (isTooLarge(error)) {
      throw new ServingError('LS_ERR_REQUEST_BODY_TOO_LARGE', { received: `more than ${limit}`, limit });
    }
    if (coding === 'deflate') {
      try {
        return inflateRawSync(body, { maxOutputLength: limit });
      } catch (rawError) {
        if (isTooLarge(rawError)) {
          throw new ServingError('LS_ERR_REQUEST_BODY_TOO_LARGE', { received: `more than ${limit}`, limit });
        }
      }
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new ServingError('LS_ERR_CONTENT_ENCODING', { received: contentEncoding ?? '', detail }, { cause: error });
  }
}

/**
 * Pick the response coding from `Accept-Encoding` (a comma list of `coding[;q=x]`): the highest q
 * among gzip, deflate and identity wins, the first listed on ties; `*` stands for every coding not
 * listed (gzip first); q=0 refuses a coding. Nothing acceptable listed → identity (Triton's
 * default; we never answer 406).
 */
export function chooseResponseEncoding(acceptEncoding: string | undefined): ResponseEncoding {
  if (acceptEncoding === undefined || acceptEncoding.trim() === '') return 'identity';
  const explicit = new Map<string, { q: number; pos: number }>();
  let star: { q: number; pos: number } | undefined;
  const items = acceptEncoding.split(',');
  for (let pos = 0; pos < items.length; pos++) {
    const [rawCoding = '', ...params] = (items[pos] as string).split(';');
    const coding = rawCoding.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=');
      if (key.trim().toLowerCase() === 'q') {
        const parsed = Number(value.trim());
        q = Number.isFinite(parsed) && value.trim() !== '' ? Math.min(Math.max(parsed, 0), 1) : 0;
      }
    }
    if (coding === '*') star ??= { q, pos };
    else if (!explicit.has(coding)) explicit.set(coding, { q, pos });
  }
  let best: ResponseEncoding = 'identity';
  let bestQ = 0;
  let bestPos = Infinity;
  for (const coding of ['gzip', 'deflate', 'identity'] as const) {
    const entry = explicit.get(coding) ?? (coding === 'identity' ? undefined : star);
    if (entry === undefined || entry.q <= 0) continue;
    if (entry.q > bestQ || (entry.q === bestQ && entry.pos < bestPos)) {
      best = coding;
      bestQ = entry.q;
      bestPos = entry.pos;
    }
  }
  return best;
}

/**
 * Compress a whole response body (JSON header + blobs) per `Accept-Encoding`. The caller sets
 * `Content-Encoding` unless `encoding` is identity; `Inference-Header-Content-Length` stays the
 * uncompressed JSON length (§2).
 */
export function compressBody(
  body: Buffer,
  acceptEncoding: string | undefined,
): { body: Buffer; encoding: ResponseEncoding } {
  const encoding = chooseResponseEncoding(acceptEncoding);
  switch (encoding) {
    case 'gzip':
      return { body: gzipSync(body), encoding };
    case 'deflate':
      return { body: deflateSync(body), encoding };
    default:
      return { body, encoding };
  }
}
