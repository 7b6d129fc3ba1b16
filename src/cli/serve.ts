import { loadConfig, ConfigError } from '../config/load-config.js';
import { compose, type Services } from '../compose.js';
import { createLogger } from '../observe/logging/logger.js';
import { startTracing } from '../observe/tracing/sdk.js';
import { serverVersion } from '../version.js';

export interface ServeHandle {
  readonly services: Services;
  /** Bound inference port (useful with port 0). */
  readonly httpPort: number;
  /** Bound metrics port, when metrics are enabled. */
  readonly metricsPort?: number;
}

function boundPort(server: { address(): unknown }, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address !== null && 'port' in address ? Number(address.port) : fallback;
}

/**
 * `layerscope serve`: load config (defaults < file < env < flags), listen first so liveness
 * answers during model loading, then load the repository; readiness turns true when it is done.
 */
export async function startServer(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<ServeHandle> {
  const config = loadConfig({ argv, env });
  const logger = createLogger({ level: config.log.level });
  // Tracing starts before anything is built, so every span has a provider behind it.
  const tracing = startTracing({
    enabled: config.tracing.enabled,
    sampleRatio: config.tracing.sampleRatio,
    serviceVersion: serverVersion(),
    env,
    onDiag: (message) => logger.warn({ component: 'tracing' }, message),
  });
  if (tracing) logger.info({ protocol: tracing.protocol }, 'tracing enabled');
  const services = compose({ config, logger, tracing: tracing !== undefined, ...(tracing ? { onShutdown: () => tracing.shutdown() } : {}) });
  await services.app.listen({ host: config.http.host, port: config.http.port });
  const httpPort = boundPort(services.app.server, config.http.port);
  let metricsPort: number | undefined;
  if (services.metricsApp) {
    await services.metricsApp.listen({ host: config.metrics.host, port: config.metrics.port });
    metricsPort = boundPort(services.metricsApp.server, config.metrics.port);
  }
  logger.info({ httpPort, metricsPort, modelRepository: config.modelRepository }, 'listening');
  await services.repository.loadAll();
  logger.info({ models: services.repository.index() }, 'repository loaded');
  return { services, httpPort, ...(metricsPort !== undefined ? { metricsPort } : {}) };
}

/** Run until SIGTERM/SIGINT, then drain and exit 0. Returns the process exit code. */
export async function runServe(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, err: (line: string) => void): Promise<number> {
  let handle: ServeHandle;
  try {
    handle = await startServer(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  handle.services.logger.info({ signal }, 'signal received');
  await handle.services.shutdown();
  return 0;
}
