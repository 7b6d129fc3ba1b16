import type { Tensor } from './tensor.js';

export type ParameterValue = string | number | boolean;
export type Parameters = Readonly<Record<string, ParameterValue>>;

/** An output the client asked for, with its per-output parameters. */
export interface RequestedOutput {
  readonly name: string;
  /** Return this output as binary data (binary tensor extension). */
  readonly binary?: boolean;
  /** Classification extension: return the top-K classes instead of the raw tensor. */
  readonly classification?: number;
}

/** A protocol-neutral inference request (after decoding, before validation). */
export interface InferRequest {
  readonly id?: string;
  readonly modelName: string;
  /** Numeric version string from the URL; absent → the latest ready version. */
  readonly modelVersion?: string;
  readonly inputs: readonly Tensor[];
  /** Absent → every model output. */
  readonly outputs?: readonly RequestedOutput[];
  readonly parameters: Parameters;
  /** Request-level default for outputs not listed (binary_data_output). */
  readonly binaryOutput?: boolean;
  /** Priority level (1 = highest); 0/absent → model default. */
  readonly priority?: number;
  /** Queue timeout override in microseconds; 0/absent → model default. */
  readonly timeoutUs?: number;
}

export interface InferResponse {
  readonly id?: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly outputs: readonly ResponseOutput[];
  readonly parameters?: Parameters;
}

export interface ResponseOutput extends Tensor {
  readonly binary: boolean;
}

/**
 * Triton's rule for an output's encoding: a listed output is binary only if it asked for
 * `binary_data: true`; an unlisted one follows the request-level `binary_data_output`.
 */
export function wantsBinaryOutput(request: InferRequest, name: string): boolean {
  const listed = request.outputs?.find((o) => o.name === name);
  if (listed !== undefined) return listed.binary === true;
  return request.binaryOutput === true;
}
