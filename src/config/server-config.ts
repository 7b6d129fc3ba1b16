import { z } from 'zod';

/**
 * Server configuration: one zod schema tree holding every default. Loaded once at start
 * (config/load-config.ts: defaults < file < LAYERSCOPE_* env < flags), then frozen.
 * docs/config.md documents every key; test/unit/config checks it stays in step.
 */
export const serverConfigSchema = z.strictObject({
  modelRepository: z.string().min(1).default('./models'),
  http: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8000),
      /** Largest request body accepted (after decompression too); larger → 413. */
      bodyLimitBytes: z.number().int().positive().default(64 * 1024 * 1024),
      /** Keep-alive idle timeout for client connections. */
      keepAliveTimeoutMs: z.number().int().positive().default(65_000),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8002),
    })
    .prefault({}),
  repository: z
    .strictObject({
      /** Serve POST /v2/repository/* (an admin surface: load/unload models). */
      apiEnabled: z.boolean().default(true),
    })
    .prefault({}),
  runtime: z
    .strictObject({
      /** Instances per model when config.json has no instance_group; 0 = from the core count. */
      defaultInstanceCount: z.number().int().min(0).default(0),
      /** intra-op threads per session when config.json sets none; 0 = from the core count. */
      defaultIntraOpThreads: z.number().int().min(0).default(0),
      /** Execution providers tried in order when config.json lists none. */
      executionProviders: z.array(z.enum(['cuda', 'cpu'])).min(1).default(['cpu']),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      /** How long in-flight and queued requests may take to finish after SIGTERM. */
      gracePeriodMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
  observe: z
    .strictObject({
      /** Per-layer latency: a profiling window closes after this long (or profileWindowSamples). */
      profileWindowMs: z.number().int().min(100).default(10_000),
      profileWindowSamples: z.number().int().min(1).default(25),
      /** Share of one core each model's profiling instance may keep busy on average. */
      profileCpuBudget: z.number().gt(0).max(1).default(0.05),
    })
    .prefault({}),
  tracing: z
    .strictObject({
      /** true/false forces OpenTelemetry tracing on/off; absent: on when OTEL_* names an exporter. */
      enabled: z.boolean().optional(),
      /** Head sampling ratio (parent-based) when OTEL_TRACES_SAMPLER is not set. */
      sampleRatio: z.number().min(0).max(1).default(1),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
});

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = Readonly<z.output<typeof serverConfigSchema>>;
