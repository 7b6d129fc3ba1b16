import { isSpanContextValid } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Per-request context the routes fill in for the log line (and, later, spans). */
export interface RequestContext {
  model?: string;
  version?: string;
  inferId?: string;
  rows?: number;
  errorCode?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    ls: RequestContext;
  }
}

/** The request's trace and span ids (the log line and the server span share the request id). */
function traceIds(request: FastifyRequest): { trace_id?: string; span_id?: string } {
  const sc = request.otel?.span.spanContext();
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/** One JSON log line per request: request id, route, model, version, status and duration. */
export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest('ls', null as unknown as RequestContext);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    request.ls = {};
  });
  app.addHook('onResponse', async (request, reply) => {
    const ctx = request.ls;
    request.log.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        ...(ctx.model !== undefined ? { model: ctx.model } : {}),
        ...(ctx.version !== undefined ? { version: ctx.version } : {}),
        ...(ctx.inferId !== undefined ? { inferId: ctx.inferId } : {}),
        ...(ctx.rows !== undefined ? { rows: ctx.rows } : {}),
        ...(ctx.errorCode !== undefined ? { errorCode: ctx.errorCode } : {}),
        ...traceIds(request),
      },
      'request',
    );
  });
}
