import { diag, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ParentBasedSampler, StackContextManager, TraceIdRatioBasedSampler, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace';

type Env = Readonly<Record<string, string | undefined>>;

export interface TracingOptions {
  /** From the server config: true/false forces tracing on or off; undefined decides from OTEL_*. */
  readonly enabled: boolean | undefined;
  /** Head sampling ratio used when OTEL_TRACES_SAMPLER is not set. */
  readonly sampleRatio: number;
  readonly serviceVersion: string;
  readonly env: Env;
  /** Where the SDK's own problems go (exporter unreachable, ...). */
  readonly onDiag?: (message: string) => void;
}

export interface Tracing {
  /** The exporter protocol in use (`http/protobuf`, `grpc` or `http/json`). */
  readonly protocol: string;
  /** Flush pending spans and stop (SIGTERM). */
  shutdown(): Promise<void>;
}

/** Tracing is on when forced by config, or when OTEL_* names an exporter (and the SDK is not disabled). */
export function tracingWanted(options: Pick<TracingOptions, 'enabled' | 'env'>): boolean {
  const { env } = options;
  if (env['OTEL_SDK_DISABLED']?.toLowerCase() === 'true') return false;
  if (options.enabled !== undefined) return options.enabled;
  if (env['OTEL_TRACES_EXPORTER'] !== undefined) return env['OTEL_TRACES_EXPORTER'] !== 'none';
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

function exporterFor(protocol: string): SpanExporter {
  if (protocol === 'grpc') return new GrpcTraceExporter();
  if (protocol === 'http/json') return new HttpJsonTraceExporter();
  return new ProtobufTraceExporter();
}

/** The standard OTEL_BSP_* knobs of the batch span processor. */
function batchOptions(env: Env): { scheduledDelayMillis?: number; maxExportBatchSize?: number; maxQueueSize?: number } {
  const num = (key: string): number | undefined => (env[key] !== undefined && Number.isFinite(Number(env[key])) ? Number(env[key]) : undefined);
  const delay = num('OTEL_BSP_SCHEDULE_DELAY');
  const batch = num('OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  const queue = num('OTEL_BSP_MAX_QUEUE_SIZE');
  return { ...(delay !== undefined ? { scheduledDelayMillis: delay } : {}), ...(batch !== undefined ? { maxExportBatchSize: batch } : {}), ...(queue !== undefined ? { maxQueueSize: queue } : {}) };
}

function samplerFor(options: TracingOptions): Sampler | undefined {
  // OTEL_TRACES_SAMPLER(_ARG) win: the SDK reads them itself.
  if (options.env['OTEL_TRACES_SAMPLER'] !== undefined) return undefined;
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) });
}

/**
 * Start the OpenTelemetry SDK (the only place that loads it; the rest of the code uses
 * @opentelemetry/api). Configured by the standard variables — OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT,
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (http/protobuf default, grpc, http/json), OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG) — plus the server config. A batch span
 * processor exports off the request path. Returns undefined when tracing is off: nothing is
 * registered and the API's no-op tracer hands out non-recording spans.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (!tracingWanted(options)) return undefined;
  const { env } = options;
  if (options.onDiag) {
    const log = options.onDiag;
    diag.setLogger({ error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  }
  const protocol = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf';
  const sampler = samplerFor(options);
  const sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME'] ?? 'layerscope',
    resource: resourceFromAttributes({ 'service.version': options.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor({ exporter: exporterFor(protocol), ...batchOptions(env) })],
    ...(sampler ? { sampler } : {}),
    instrumentations: [],
    // layerscope passes span contexts explicitly (request → infer → batch) and never relies on
    // the active context across awaits, so a synchronous context manager is enough. The default
    // AsyncLocalStorage one would turn on Node 20's promise hooks for the whole process at the
    // first span export (measured: −21 % req/s at 1 % sampling).
    contextManager: new StackContextManager().enable(),
  });
  sdk.start();
  return { protocol, shutdown: () => sdk.shutdown() };
}
