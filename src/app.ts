import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config/server-config.js';
import type { Dataplane } from './dataplane/dataplane.js';
import type { ModelRepository } from './repository/model-repository.js';
import { registerBodyParser } from './server/http/body-parser.js';
import { registerErrorHandling } from './server/http/errors-plugin.js';
import { registerHealthRoutes } from './server/http/health-routes.js';
import { registerModelRoutes } from './server/http/model-routes.js';
import { registerRequestLog } from './server/http/request-log.js';
import { registerTracing } from './server/http/tracing-hooks.js';
import { registerRepositoryRoutes, registerTritonRoutes } from './server/http/triton-routes.js';
import type { InferenceStats } from './observe/stats/inference-stats.js';
import type { Logger } from './types/logger.js';

export interface AppDeps {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly repository: ModelRepository;
  readonly dataplane: Dataplane;
  readonly stats: InferenceStats;
  /** Layers of a model version with their latest observed figures (observe/layer-report.ts). */
  readonly layerReport: (model: string, version: string) => object;
  /** Register the HTTP tracing hooks (OpenTelemetry is started, or a test provider is set). */
  readonly tracing?: boolean;
}

/** The V2 extensions this server implements, as advertised by `GET /v2` (reference §1.3). */
export function extensions(config: ServerConfig): string[] {
  return [
    'binary_tensor_data',
    'classification',
    'model_configuration',
    ...(config.repository.apiEnabled ? ['model_repository'] : []),
    'schedule_policy',
    'parameters',
    'statistics',
  ];
}

/**
 * Build the inference HTTP app (V2 protocol on port 8000). Never listens: main.ts does, tests
 * use inject(). Routes match on the path only, so query strings are ignored (reference §1.1).
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // pino satisfies both interfaces; fastify's generic only needs to know it is its base logger.
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // Our own one-line-per-request log (server/http/request-log.ts) replaces fastify's two lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.http.bodyLimitBytes,
    keepAliveTimeout: deps.config.http.keepAliveTimeoutMs,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });
  registerErrorHandling(app, deps.config.http.bodyLimitBytes);
  registerBodyParser(app, deps.config.http.bodyLimitBytes);
  if (deps.tracing === true) registerTracing(app);
  registerRequestLog(app);
  registerHealthRoutes(app, deps, extensions(deps.config));
  registerTritonRoutes(app, deps);
  registerRepositoryRoutes(app, deps);
  registerModelRoutes(app, deps);
  return app;
}
