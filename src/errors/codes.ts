/**
 * The error catalogue: every error the server can return, by stable code. Codes are append-only.
 * Kinds carry no transport; server/http/error-mapping.ts maps kind → HTTP status in one table.
 * docs/errors.md lists every code (checked by test/unit/errors/catalogue.test.ts).
 */

export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'too_large'
  | 'conflict'
  | 'unavailable'
  | 'unsupported'
  | 'internal';

type Params = Readonly<Record<string, string | number>>;

interface CatalogueEntry {
  readonly kind: ErrorKind;
  /** Message template: `{name}` is replaced by the parameter of that name. */
  readonly message: string;
}

export const ERROR_CATALOGUE = Object.freeze({
  // request decoding
  LS_ERR_REQUEST_INVALID_JSON: { kind: 'invalid_argument', message: 'failed to parse the request JSON: {detail}' },
  LS_ERR_REQUEST_INVALID_FIELD: {
    kind: 'invalid_argument',
    message: "invalid request field '{field}': expected {expected}, got {received}",
  },
  LS_ERR_REQUEST_BODY_TOO_LARGE: {
    kind: 'too_large',
    message: 'request body too large: expected at most {limit} bytes, received {received}',
  },
  LS_ERR_REQUEST_RESERVED_PARAMETER: {
    kind: 'invalid_argument',
    message: "parameter key '{key}' is reserved: keys starting with 'triton_' are reserved for Triton usage",
  },
  LS_ERR_INPUT_DATA_SOURCE: {
    kind: 'invalid_argument',
    message:
      "Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'. But input '{input}' set {received}",
  },
  LS_ERR_INPUT_DATATYPE_UNKNOWN: {
    kind: 'invalid_argument',
    message: "input '{input}': datatype '{received}' is not a V2 datatype (expected one of {expected})",
  },
  LS_ERR_INPUT_JSON_UNSUPPORTED_TYPE: {
    kind: 'invalid_argument',
    message: "receiving {datatype} data via JSON is not supported. Please use the binary data format for input '{input}'",
  },
  LS_ERR_OUTPUT_JSON_UNSUPPORTED_TYPE: {
    kind: 'invalid_argument',
    message: "sending {datatype} data via JSON is not supported. Please use the binary data format for output '{output}'",
  },
  LS_ERR_INPUT_ELEMENT_TYPE: {
    kind: 'invalid_argument',
    message: "input '{input}' element {index}: expected {expected} for datatype {datatype}, got {received}",
  },
  LS_ERR_INPUT_ELEMENT_COUNT: {
    kind: 'invalid_argument',
    message: "input '{input}': shape {shape} needs {expected} elements, but 'data' holds {received}",
  },
  LS_ERR_INPUT_NESTING_TOO_DEEP: {
    kind: 'invalid_argument',
    message: "input '{input}': 'data' nesting deeper than {limit} levels",
  },
  // binary tensor extension
  LS_ERR_BINARY_HEADER_LENGTH: {
    kind: 'invalid_argument',
    message: "invalid 'Inference-Header-Content-Length' header: expected {expected}, got {received}",
  },
  LS_ERR_BINARY_SIZE_MISMATCH: {
    kind: 'invalid_argument',
    message: "input '{input}': binary_data_size {received} does not match the {expected} bytes its shape and datatype need",
  },
  LS_ERR_BINARY_BODY_SHORT: {
    kind: 'invalid_argument',
    message: 'unexpected end of binary data: input {input} needs {expected} bytes, {received} remain',
  },
  LS_ERR_BINARY_BODY_EXTRA: {
    kind: 'invalid_argument',
    message: 'unexpected additional input data: {received} bytes left after the last binary input',
  },
  LS_ERR_BINARY_BYTES_ELEMENT: {
    kind: 'invalid_argument',
    message: "input '{input}': malformed BYTES element {index}: {detail}",
  },
  LS_ERR_CONTENT_ENCODING: {
    kind: 'invalid_argument',
    message: "unsupported or corrupt Content-Encoding '{received}': expected gzip, deflate or identity ({detail})",
  },
  // model lookup and readiness
  LS_ERR_MODEL_NOT_FOUND: { kind: 'not_found', message: "Request for unknown model: '{model}' is not found" },
  LS_ERR_MODEL_VERSION_NOT_FOUND: {
    kind: 'not_found',
    message: "Request for unknown model: '{model}' version {version} is not found",
  },
  LS_ERR_MODEL_NOT_READY: {
    kind: 'unavailable',
    message: "model '{model}' version {version} is not ready: {state} ({reason})",
  },
  LS_ERR_MODEL_UNAVAILABLE: { kind: 'unavailable', message: "model '{model}' has no ready version ({reason})" },
  // validation against model metadata
  LS_ERR_INPUT_MISSING: {
    kind: 'invalid_argument',
    message: "expected {expected} inputs but got {received} inputs for model '{model}': missing input '{input}'",
  },
  LS_ERR_INPUT_UNKNOWN: {
    kind: 'invalid_argument',
    message: "unexpected inference input '{input}' for model '{model}' (expected one of {expected})",
  },
  LS_ERR_INPUT_DUPLICATE: { kind: 'invalid_argument', message: "input '{input}' is given more than once" },
  LS_ERR_INPUT_DATATYPE: {
    kind: 'invalid_argument',
    message: "inference input '{input}' data-type is '{received}', but model '{model}' expects '{expected}'",
  },
  LS_ERR_INPUT_SHAPE: {
    kind: 'invalid_argument',
    message: "unexpected shape for input '{input}' for model '{model}'. Expected {expected}, got {received}",
  },
  LS_ERR_BATCH_TOO_LARGE: {
    kind: 'invalid_argument',
    message: "inference request batch-size must be <= {expected} for '{model}', got {received}",
  },
  LS_ERR_BATCH_MISMATCH: {
    kind: 'invalid_argument',
    message: "inputs of model '{model}' disagree on the batch size: input '{input}' has {received}, expected {expected}",
  },
  LS_ERR_OUTPUT_UNKNOWN: {
    kind: 'invalid_argument',
    message: "unexpected inference output '{output}' for model '{model}' (expected one of {expected})",
  },
  LS_ERR_OUTPUT_PARAMETER: {
    kind: 'invalid_argument',
    message: "output '{output}': invalid parameter '{parameter}': expected {expected}, got {received}",
  },
  // scheduling
  LS_ERR_QUEUE_FULL: { kind: 'unavailable', message: "Exceeds maximum queue size of {limit} for model '{model}'" },
  LS_ERR_QUEUE_TIMEOUT: { kind: 'unavailable', message: 'Request timeout expired' },
  LS_ERR_REQUEST_CANCELED: { kind: 'unavailable', message: 'request canceled: {reason}' },
  LS_ERR_SHUTTING_DOWN: { kind: 'unavailable', message: 'server is shutting down' },
  // runtime
  LS_ERR_RUNTIME_EXECUTION: { kind: 'internal', message: "model '{model}' execution failed: {detail}" },
  LS_ERR_RUNTIME_UNSUPPORTED_TYPE: {
    kind: 'unsupported',
    message: "datatype {datatype} of tensor '{tensor}' is not supported by the onnxruntime backend",
  },
  // repository
  LS_ERR_MODEL_CONFIG_INVALID: { kind: 'invalid_argument', message: "invalid config for model '{model}': {detail}" },
  LS_ERR_MODEL_LOAD_FAILED: { kind: 'invalid_argument', message: "failed to load model '{model}': {detail}" },
  LS_ERR_REPOSITORY_DISABLED: {
    kind: 'unsupported',
    message: 'the model repository API is disabled by configuration (repository.api_enabled)',
  },
  LS_ERR_REPOSITORY_NAME_UNSUPPORTED: {
    kind: 'unsupported',
    message: "'repository_name' specification is not supported",
  },
  // HTTP edge
  LS_ERR_ROUTE_NOT_FOUND: { kind: 'not_found', message: 'Not Found' },
  LS_ERR_METHOD_NOT_ALLOWED: { kind: 'unsupported', message: 'Method Not Allowed' },
  LS_ERR_SERVER_INTERNAL: { kind: 'internal', message: 'internal error: {detail}' },
  // binary tensor extension (appended)
  LS_ERR_BINARY_RAW_REQUEST: {
    kind: 'invalid_argument',
    message:
      "raw binary request (Inference-Header-Content-Length: 0) for model '{model}': {detail}: expected {expected}, got {received}",
  },
  LS_ERR_CONTENT_ENCODING_UNSUPPORTED: {
    kind: 'unsupported',
    message: "Unsupported compression type '{received}': expected {expected}",
  },
  // statistics and repository extensions
  LS_ERR_STATS_MODEL_UNAVAILABLE: {
    kind: 'invalid_argument',
    message: "requested model '{model}' is not available: {reason}",
  },
  LS_ERR_REPOSITORY_INVALID_BODY: {
    kind: 'invalid_argument',
    message: "invalid repository request body: field '{field}' expected {expected}, got {received}",
  },
  LS_ERR_CLASSIFICATION_INVALID: {
    kind: 'invalid_argument',
    message: "output '{output}': classification needs {expected}, got {received}",
  },
} as const satisfies Record<string, CatalogueEntry>);

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Fill a message template; unknown `{fields}` stay visible so a missing parameter is noticed. */
export function formatMessage(code: ErrorCode, params: Params = {}): string {
  return ERROR_CATALOGUE[code].message.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}
