import type { ErrorKind } from '../../errors/codes.js';
import { ServingError, toServingError } from '../../errors/serving-error.js';

/** The one table from error kind to HTTP status (DESIGN.md §3). */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = Object.freeze({
  invalid_argument: 400,
  not_found: 404,
  too_large: 413,
  conflict: 409,
  unavailable: 503,
  unsupported: 501,
  internal: 500,
});

/** Seconds a client should wait before retrying an unavailable answer. */
export const RETRY_AFTER_SECONDS = 1;

export interface HttpError {
  readonly status: number;
  readonly body: { readonly error: string; readonly code: string };
  readonly headers: Readonly<Record<string, string>>;
}

/** Fastify's own error codes that reach us, translated into catalogue errors. */
function fromFastify(err: { code?: string; message: string; statusCode?: number }, bodyLimit: number, received: string): ServingError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServingError('LS_ERR_REQUEST_BODY_TOO_LARGE', { received, limit: bodyLimit });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ServingError('LS_ERR_REQUEST_INVALID_JSON', { detail: err.message });
    default:
      if (err.statusCode === 413) return new ServingError('LS_ERR_REQUEST_BODY_TOO_LARGE', { received, limit: bodyLimit });
      return undefined;
  }
}

/**
 * Map anything thrown while handling a request to status, `{error, code}` body and headers.
 * `contentLength` (the request header) makes a 413 message say what was received.
 */
export function toHttpError(thrown: unknown, bodyLimit: number, contentLength?: string): HttpError {
  const received = contentLength !== undefined ? `${contentLength} bytes` : 'more';
  const candidate = thrown as { code?: string; message?: string; statusCode?: number };
  const error =
    thrown instanceof ServingError
      ? thrown
      : (typeof candidate?.code === 'string' && candidate.code.startsWith('FST_')
          ? fromFastify({ code: candidate.code, message: candidate.message ?? '', ...(candidate.statusCode !== undefined ? { statusCode: candidate.statusCode } : {}) }, bodyLimit, received)
          : undefined) ?? toServingError(thrown);
  const status = STATUS_BY_KIND[error.kind];
  const headers: Record<string, string> = status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
  // Triton names the codings it accepts when it refuses one (reference §2, step 1).
  if (error.code === 'LS_ERR_CONTENT_ENCODING_UNSUPPORTED') headers['accept-encoding'] = 'gzip, deflate';
  return { status, body: { error: error.message, code: error.code }, headers };
}
