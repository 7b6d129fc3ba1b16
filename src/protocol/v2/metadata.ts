/**
 * Server and model metadata documents (reference/v2-protocol.md §1.3, §1.4).
 */
import { readFileSync } from 'node:fs';
import type { DataType } from '../../types/datatype.js';
import type { TensorSpec } from '../../types/model.js';

export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  /** Always an array: perf_analyzer iterates it unchecked. */
  readonly extensions: string[];
}

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: string[];
  readonly platform: string;
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
}

export interface ModelMetadataSource {
  readonly name: string;
  /** Decimal version strings: the URL's version, or every ready version. */
  readonly versions: readonly string[];
  readonly platform: string;
  readonly maxBatchSize: number;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

let cachedVersion: string | undefined;

/** layerscope's version from its package.json, read on first use (walking up from this file). */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = new URL('./', import.meta.url);
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'layerscope' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    } catch {
      // no package.json at this level: keep walking up
    }
    dir = new URL('../', dir);
  }
  return (cachedVersion = '0.0.0');
}

/** `GET /v2`: `{name, version, extensions}`. Advertise only what is implemented (§8.3). */
export function serverMetadata(extensions: readonly string[], version: string = packageVersion()): ServerMetadata {
  return { name: 'layerscope', version, extensions: [...extensions] };
}

function tensorMetadata(spec: TensorSpec, batched: boolean): TensorMetadata {
  return { name: spec.name, datatype: spec.datatype, shape: batched ? [-1, ...spec.dims] : [...spec.dims] };
}

/**
 * `GET /v2/models/{m}[/versions/{v}]`. A model with `maxBatchSize ≥ 1` gets a `-1` batch dim
 * prepended to every shape (perf_analyzer drops the first dim of batching models).
 */
export function modelMetadata(model: ModelMetadataSource): ModelMetadata {
  const batched = model.maxBatchSize >= 1;
  return {
    name: model.name,
    versions: [...model.versions],
    platform: model.platform,
    inputs: model.inputs.map((spec) => tensorMetadata(spec, batched)),
    outputs: model.outputs.map((spec) => tensorMetadata(spec, batched)),
  };
}
