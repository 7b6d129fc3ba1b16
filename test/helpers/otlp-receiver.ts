import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { FIXTURES_DIR } from './paths.js';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly links: { traceId: string; spanId: string }[];
  readonly statusCode: number;
  readonly serviceName: string;
}

export interface OtlpReceiver {
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Requests that were not OTLP/HTTP protobuf trace exports. */
  readonly rejected: string[];
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | { toNumber(): number };
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return typeof v.intValue === 'number' ? v.intValue : v.intValue.toNumber();
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

const attributes = (kvs: KeyValue[] | undefined): Record<string, unknown> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));

/**
 * A real OTLP/HTTP receiver on loopback: accepts `POST /v1/traces` with
 * `Content-Type: application/x-protobuf` (optionally gzip), decodes ExportTraceServiceRequest with
 * the OTLP proto definitions (test/fixtures/otlp/trace-service.proto) and keeps the spans.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const root = await protobuf.load(join(FIXTURES_DIR, 'otlp', 'trace-service.proto'));
  const Request = root.lookupType('otlp.ExportTraceServiceRequest');
  const spans: ReceivedSpan[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.method !== 'POST' || req.url !== '/v1/traces' || req.headers['content-type'] !== 'application/x-protobuf') {
        rejected.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        res.writeHead(415).end();
        return;
      }
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const decoded = Request.toObject(Request.decode(body), { longs: Number, bytes: Uint8Array }) as {
        resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
      };
      for (const rs of decoded.resourceSpans ?? []) {
        const serviceName = String(attributes(rs.resource?.attributes)['service.name'] ?? '');
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: hex(s['traceId'] as Uint8Array),
              spanId: hex(s['spanId'] as Uint8Array),
              parentSpanId: hex(s['parentSpanId'] as Uint8Array),
              name: String(s['name']),
              attributes: attributes(s['attributes'] as KeyValue[]),
              links: ((s['links'] as { traceId: Uint8Array; spanId: Uint8Array }[] | undefined) ?? []).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
              statusCode: Number((s['status'] as { code?: number } | undefined)?.code ?? 0),
              serviceName,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    rejected,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
