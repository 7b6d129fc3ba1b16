import type { ClientGone } from './client-gone.js';
import { isSpanContextValid } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Per-request context the routes fill in for the log line (and, later, spans). */
export interface RequestContext {
  model?: string;
  version?: string;
  inferId?: string;
  rows?: number;
  errorCode?: string;
  /** Infer routes: fires when the client disconnects before its response is written. */
  clientGone?: ClientGone;
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

/** Levels at which the request line (info) is written; otherwise it is not even built. */
const LOGS_INFO = new Set(['trace', 'debug', 'info']);

/** One JSON log line per request: request id, route, model, version, status and duration. */
export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest('ls', null as unknown as RequestContext);
  // Callback hooks, not async ones: every request pays for them (an async hook is one promise more).
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    request.ls = {};
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (LOGS_INFO.has(request.log.level)) logRequest(request, reply.statusCode, reply.elapsedTime);
    done();
  });
}

function logRequest(request: FastifyRequest, status: number, elapsedMs: number): void {
  const ctx = request.ls;
  request.log.info(
    {
      reqId: request.id,
      method: request.method,
      url: request.url,
      status,
      durationMs: Math.round(elapsedMs * 1000) / 1000,
      ...(ctx.model !== undefined ? { model: ctx.model } : {}),
      ...(ctx.version !== undefined ? { version: ctx.version } : {}),
      ...(ctx.inferId !== undefined ? { inferId: ctx.inferId } : {}),
      ...(ctx.rows !== undefined ? { rows: ctx.rows } : {}),
      ...(ctx.errorCode !== undefined ? { errorCode: ctx.errorCode } : {}),
      ...traceIds(request),
    },
    'request',
  );
}
