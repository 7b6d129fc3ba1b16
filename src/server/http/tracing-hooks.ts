import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('layerscope.http');

interface RequestTrace {
  readonly span: Span;
  /** The extracted parent plus our server span: run the handler in it. */
  readonly ctx: Context;
}

declare module 'fastify' {
  interface FastifyRequest {
    otel: RequestTrace | undefined;
  }
}

const headerGetter = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => {
    const value = carrier[key];
    return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? value : undefined;
  },
};

/** Context a request's handler should run in (its server span), or the active one when untraced. */
export function requestContext(request: FastifyRequest): Context {
  return request.otel?.ctx ?? context.active();
}

/**
 * Our own HTTP server span (no monkey-patching instrumentation): the W3C `traceparent` /
 * `tracestate` of the request is extracted as the parent, the span is named after the route
 * (`POST /v2/models/:model/infer`), and the server span's context is injected into the response
 * headers so a caller can correlate. With no SDK registered the API hands out non-recording spans
 * and this costs a few object allocations.
 */
export function registerTracing(app: FastifyInstance): void {
  app.decorateRequest('otel', undefined);
  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '', 'layerscope.request_id': request.id },
      },
      parent,
    );
    if (!span.isRecording() && !trace.getSpanContext(parent)) return;
    request.otel = { span, ctx: trace.setSpan(parent, span) };
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.otel?.span.isRecording()) {
      propagation.inject(request.otel.ctx, reply, { set: (r, key, value) => void r.header(key, value) });
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = request.otel?.span;
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${reply.statusCode}` });
    span.end();
  });
  app.addHook('onRequestAbort', async (request) => {
    request.otel?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
    request.otel?.span.end();
  });
}
