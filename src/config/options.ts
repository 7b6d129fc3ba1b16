/**
 * Every server setting that has a command-line flag and a LAYERSCOPE_* environment variable.
 * One table so the CLI, the env reader and docs/config.md agree (a test checks the docs).
 */
export type OptionType = 'string' | 'int' | 'number' | 'bool' | 'list';

export interface OptionSpec {
  /** Flag without the leading dashes. */
  readonly flag: string;
  readonly env: string;
  /** Dotted path in the server config. */
  readonly path: string;
  readonly type: OptionType;
  readonly help: string;
}

function option(flag: string, path: string, type: OptionType, help: string): OptionSpec {
  return { flag, env: `LAYERSCOPE_${flag.toUpperCase().replaceAll('-', '_')}`, path, type, help };
}

export const OPTIONS: readonly OptionSpec[] = Object.freeze([
  option('model-repository', 'modelRepository', 'string', 'model repository directory'),
  option('http-host', 'http.host', 'string', 'address the inference server binds'),
  option('http-port', 'http.port', 'int', 'inference (V2 protocol) port'),
  option('body-limit-bytes', 'http.bodyLimitBytes', 'int', 'largest request body accepted'),
  option('metrics', 'metrics.enabled', 'bool', 'serve Prometheus metrics'),
  option('metrics-host', 'metrics.host', 'string', 'address the metrics server binds'),
  option('metrics-port', 'metrics.port', 'int', 'Prometheus metrics port'),
  option('repository-api', 'repository.apiEnabled', 'bool', 'serve the model repository (load/unload) API'),
  option('instance-count', 'runtime.defaultInstanceCount', 'int', 'instances per model without instance_group (0 = auto)'),
  option('intra-op-threads', 'runtime.defaultIntraOpThreads', 'int', 'onnxruntime intra-op threads (0 = auto)'),
  option('execution-providers', 'runtime.executionProviders', 'list', 'execution providers in order, e.g. cuda,cpu'),
  option('grace-period-ms', 'shutdown.gracePeriodMs', 'int', 'drain time after SIGTERM'),
  option('profile-window-ms', 'observe.profileWindowMs', 'int', 'per-layer latency window length'),
  option('profile-window-samples', 'observe.profileWindowSamples', 'int', 'sampled batches that close a profiling window early'),
  option('profile-cpu-budget', 'observe.profileCpuBudget', 'number', 'share of a core a model profiler may use (0..1]'),
  option('tracing', 'tracing.enabled', 'bool', 'OpenTelemetry tracing on/off (default: on when OTEL_* names an exporter)'),
  option('trace-sample-ratio', 'tracing.sampleRatio', 'number', 'head sampling ratio when OTEL_TRACES_SAMPLER is unset'),
  option('log-level', 'log.level', 'string', 'pino log level'),
]);

/** The flag naming the config file; not part of the config itself. */
export const CONFIG_FILE_OPTION = Object.freeze({ flag: 'config', env: 'LAYERSCOPE_CONFIG' });
