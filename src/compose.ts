import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createSchedulerFactory } from './batching/scheduler-factory.js';
import type { ServerConfig } from './config/server-config.js';
import { Dataplane } from './dataplane/dataplane.js';
import { InferenceStats } from './observe/stats/inference-stats.js';
import { createTelemetry } from './observe/telemetry.js';
import { ModelRepository } from './repository/model-repository.js';
import { createOnnxRunnerFactory } from './runtime/onnx/onnx-runner-factory.js';
import type { RunnerFactory } from './runtime/runner.js';
import type { Logger } from './types/logger.js';

export interface ComposeOptions {
  readonly config: ServerConfig;
  readonly logger: Logger;
  /** Override the runtime (tests pass fakes); default: onnxruntime in worker threads. */
  readonly runnerFactory?: RunnerFactory;
  /** Tracing is on (the SDK was started); default: the config forces it on. */
  readonly tracing?: boolean;
  /** Runs last on shutdown (e.g. flush the trace exporter). */
  readonly onShutdown?: () => Promise<void>;
}

/** Everything a running server is made of, wired together but not listening. */
export interface Services {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly repository: ModelRepository;
  readonly dataplane: Dataplane;
  readonly app: FastifyInstance;
  /** The Prometheus listener (port 8002), absent when metrics are disabled. */
  readonly metricsApp?: FastifyInstance;
  /** Stop accepting inference, wait for accepted requests (bounded by the grace period), free everything. */
  shutdown(): Promise<void>;
}

/** The composition root: builds repository, runtime, schedulers, dataplane and the HTTP app. */
export function compose(options: ComposeOptions): Services {
  const { config, logger } = options;
  const runnerFactory = options.runnerFactory ?? createOnnxRunnerFactory();
  const repository = new ModelRepository({
    root: config.modelRepository,
    runnerFactory,
    runtime: {
      instanceCount: config.runtime.defaultInstanceCount,
      intraOpThreads: config.runtime.defaultIntraOpThreads,
      executionProviders: config.runtime.executionProviders,
    },
    logger: logger.child({ component: 'repository' }),
  });
  const dataplane = new Dataplane({ repository, schedulerFactory: createSchedulerFactory() });
  const stats = new InferenceStats().start();
  const telemetry = createTelemetry({ config, logger, repository, runnerFactory });
  const tracing = options.tracing ?? config.tracing.enabled === true;
  const app = buildApp({ config, logger, repository, dataplane, stats, layerReport: telemetry.layerReport, tracing });
  const { metricsApp } = telemetry;
  let shutdown: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await drainAndClose(config, logger, dataplane, repository, app);
    await telemetry.stop();
    stats.stop();
    await options.onShutdown?.().catch((err: unknown) => logger.warn({ err }, 'shutdown hook failed'));
  };
  return {
    config,
    logger,
    repository,
    dataplane,
    app,
    ...(metricsApp ? { metricsApp } : {}),
    shutdown: () => (shutdown ??= stop()),
  };
}

async function drainAndClose(
  config: ServerConfig,
  logger: Logger,
  dataplane: Dataplane,
  repository: ModelRepository,
  app: FastifyInstance,
): Promise<void> {
  logger.info({ gracePeriodMs: config.shutdown.gracePeriodMs }, 'draining: readiness off, finishing accepted requests');
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), config.shutdown.gracePeriodMs)));
  const outcome = await Promise.race([dataplane.drain().then(() => 'drained' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'expired') logger.warn('grace period expired with requests still running');
  await app.close();
  await repository.close();
  logger.info('shutdown complete');
}
