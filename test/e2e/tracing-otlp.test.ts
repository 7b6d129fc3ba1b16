import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readGolden } from '../helpers/golden.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { startServerProcess } from '../helpers/server-process.js';
import { createTempRepo } from '../helpers/temp-repo.js';

test('a request with a traceparent produces its spans, batch span and links included, at a real OTLP/HTTP receiver, and its log line carries the trace id', async () => {
  const receiver = await startOtlpReceiver();
  const repo = createTempRepo();
  repo.copyShipped('digits-cnn');
  const server = await startServerProcess(['--model-repository', repo.dir], {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: 'layerscope-e2e',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${server.url}/v2/models/digits-cnn/infer`, {
      method: 'POST',
      body: readGolden('digits-cnn').inputText,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'traced-1' },
    });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('traceparent')), new RegExp(`^00-${traceId}-`));
    // SIGTERM flushes the batch span processor before the process exits.
    assert.equal(await server.stop(), 0);
    const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
    const names = inTrace.map((s) => s.name).sort();
    assert.deepEqual(names, ['POST /v2/models/:model/infer', 'batch digits-cnn', 'compute', 'infer digits-cnn', 'queue'].sort());
    assert.ok(inTrace.every((s) => s.serviceName === 'layerscope-e2e'));
    const infer = inTrace.find((s) => s.name === 'infer digits-cnn')!;
    const batch = inTrace.find((s) => s.name === 'batch digits-cnn')!;
    assert.deepEqual(batch.links, [{ traceId, spanId: infer.spanId }]);
    assert.equal(batch.attributes['layerscope.batch.size'], 4);
    const serverSpan = inTrace.find((s) => s.name.startsWith('POST'))!;
    assert.equal(serverSpan.parentSpanId, '00f067aa0ba902b7');
    assert.equal(receiver.rejected.length, 0);
    const line = server.logs.find((l) => l['reqId'] === 'traced-1');
    assert.ok(line, 'request log line');
    assert.equal(line['trace_id'], traceId);
    assert.equal(line['span_id'], serverSpan.spanId);
  } finally {
    server.child.kill('SIGKILL');
    await receiver.close();
    repo.remove();
  }
});
