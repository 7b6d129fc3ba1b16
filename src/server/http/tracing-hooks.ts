import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

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

/**
 * Our own HTTP server span (no monkey-patching instrumentation): the W3C `traceparent` /
 * `tracestate` of the request is extracted as the parent, the span is named after the route
 * (`POST /v2/models/:model/infer`), and the server span's context is injected into the response
 * headers so a caller can correlate. Registered only when tracing is on (compose.ts), so tracing
 * off costs nothing. Contexts are passed explicitly (request.otel.ctx), never made active.
 */
export function registerTracing(app: FastifyInstance): void {
  app.decorateRequest('otel', undefined);
  // Callback-style hooks: cheaper per request than async ones.
  app.addHook('onRequest', (request, reply, done) => {
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
    if (span.isRecording()) {
      const ctx = trace.setSpan(parent, span);
      request.otel = { span, ctx };
      // The server span's context goes back out (traceparent / tracestate response headers).
      propagation.inject(ctx, reply, { set: (r, key, value) => void r.header(key, value) });
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = request.otel?.span;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${reply.statusCode}` });
      span.end();
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    request.otel?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
    request.otel?.span.end();
    done();
  });
}
