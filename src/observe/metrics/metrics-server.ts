import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/**
 * The metrics listener (its own port, default 8002): `GET /metrics` (trailing slash allowed) in
 * Prometheus text format from our registry; other methods 405, other paths 404, JSON bodies.
 */
export function buildMetricsApp(registry: Registry): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.code(200).type(registry.contentType).send(text);
  });
  app.route({
    method: ['POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/metrics',
    handler: async (_request, reply) => reply.code(405).header('allow', 'GET').send({ error: 'Method Not Allowed', code: 'LS_ERR_METHOD_NOT_ALLOWED' }),
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'Not Found', code: 'LS_ERR_ROUTE_NOT_FOUND' }));
  return app;
}
