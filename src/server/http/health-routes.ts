import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { serverVersion } from '../../version.js';
import { methodNotAllowed } from './errors-plugin.js';

/**
 * `GET /v2`, `/v2/health/live`, `/v2/health/ready`. Health answers by status code only:
 * 200 true, 400 false, empty body (reference §1.2). Ready means: the startup load finished and
 * the server is not draining.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps, extensions: readonly string[]): void {
  const metadata = { name: 'layerscope', version: serverVersion(), extensions: [...extensions] };
  app.get('/v2', async () => metadata);
  methodNotAllowed(app, '/v2', ['GET']);

  app.get('/v2/health/live', async (_request, reply) => reply.code(200).type('text/plain').send(''));
  methodNotAllowed(app, '/v2/health/live', ['GET']);

  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = deps.repository.startupComplete && !deps.dataplane.draining;
    return reply.code(ready ? 200 : 400).type('text/plain').send('');
  });
  methodNotAllowed(app, '/v2/health/ready', ['GET']);
}
