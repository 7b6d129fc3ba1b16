import type { FastifyInstance } from 'fastify';
import { ServingError } from '../../errors/serving-error.js';
import { toHttpError } from './error-mapping.js';

/** Every error, and every unmatched route, leaves as `{"error", "code"}` with the mapped status. */
export function registerErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toHttpError(err, bodyLimit, request.headers['content-length']);
    if (mapped.status >= 500 && mapped.status !== 503) {
      const sc = request.otel?.span.spanContext();
      request.log.error({ err, ...(sc ? { trace_id: sc.traceId, span_id: sc.spanId } : {}) }, 'request failed');
    }
    void reply.code(mapped.status).headers(mapped.headers).type('application/json').send(mapped.body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const mapped = toHttpError(new ServingError('LS_ERR_ROUTE_NOT_FOUND'), bodyLimit);
    void reply.code(404).type('application/json').send(mapped.body);
  });
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Answer 405 `{"error":"Method Not Allowed"}` for the other methods on a known route. */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const others = METHODS.filter((m) => !allowed.includes(m));
  app.route({
    method: [...others],
    url,
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .type('application/json')
        .send({ error: 'Method Not Allowed', code: 'LS_ERR_METHOD_NOT_ALLOWED' }),
  });
}
