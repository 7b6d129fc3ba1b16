import { ERROR_CATALOGUE, formatMessage, type ErrorCode, type ErrorKind } from './codes.js';

/**
 * The one error type the core throws. It carries a catalogue code and kind, never a transport
 * status; it crosses worker boundaries by `code` (structured clone drops the prototype).
 */
export class ServingError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly params: Readonly<Record<string, string | number>>;

  constructor(code: ErrorCode, params: Readonly<Record<string, string | number>> = {}, options?: ErrorOptions) {
    super(formatMessage(code, params), options);
    this.name = 'ServingError';
    this.code = code;
    this.kind = ERROR_CATALOGUE[code].kind;
    this.params = params;
  }
}

export function servingError(code: ErrorCode, params?: Readonly<Record<string, string | number>>): ServingError {
  return new ServingError(code, params);
}

export function isServingError(value: unknown): value is ServingError {
  return value instanceof ServingError;
}

/** Wrap anything thrown into a ServingError, keeping the cause. */
export function toServingError(value: unknown): ServingError {
  if (value instanceof ServingError) return value;
  const detail = value instanceof Error ? value.message : String(value);
  return new ServingError('LS_ERR_SERVER_INTERNAL', { detail }, { cause: value });
}

/** Human form of a value for "expected X, got Y" messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length > 8 ? `an array of ${value.length} items` : JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
