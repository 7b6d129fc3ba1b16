import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Services } from '../../src/compose.js';
import { composeLoaded } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const traceparent = (spanId: string) => `00-${TRACE_ID}-${spanId}-01`;

// One provider for the whole file: tracers are taken once per module, so the global provider
// cannot be swapped between suites.
const exporter = new InMemorySpanExporter();
before(() => {
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
after(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('OpenTelemetry spans of an inference (in-memory exporter)', () => {
  let repo: TempRepo;
  let services: Services;
  before(async () => {
    repo = createTempRepo();
    repo.copyShipped('digits-cnn');
    // Two requests of 4 rows arriving together form one batch of 8.
    repo.write(
      'digits-cnn/config.json',
      JSON.stringify({ max_batch_size: 64, dynamic_batching: { preferred_batch_size: [8], max_queue_delay_microseconds: 200000 }, instance_group: [{ count: 1 }] }),
    );
    services = await composeLoaded(['--tracing'], repo.dir);
  });
  after(async () => {
    await services.shutdown();
    repo.remove();
  });

  const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
  const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

  test('two traced requests batched together: server → infer → queue spans, one batch span linked to both', async () => {
    exporter.reset();
    const body = readGolden('digits-cnn').inputText;
    const [a, b] = await Promise.all(
      ['00f067aa0ba902b7', '00f067aa0ba902b8'].map((id) =>
        services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: body, headers: { traceparent: traceparent(id), tracestate: 'vendor=x' } }),
      ),
    );
    assert.equal(a!.statusCode, 200);
    assert.equal(b!.statusCode, 200);
    assert.match(String(a!.headers['traceparent']), new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`), 'the server span context goes back out');
    const spans = exporter.getFinishedSpans();
    assert.ok(spans.every((s) => s.spanContext().traceId === TRACE_ID), 'every span is in the caller trace');

    const servers = byName(spans, 'POST /v2/models/:model/infer');
    assert.equal(servers.length, 2);
    assert.ok(servers.every((s) => s.kind === SpanKind.SERVER && s.attributes['http.response.status_code'] === 200));
    assert.deepEqual(servers.map(parentId).sort(), ['00f067aa0ba902b7', '00f067aa0ba902b8']);

    const infers = byName(spans, 'infer digits-cnn');
    assert.equal(infers.length, 2);
    for (const infer of infers) {
      assert.ok(servers.some((s) => s.spanContext().spanId === parentId(infer)), 'infer is a child of its server span');
      assert.equal(infer.attributes['layerscope.model'], 'digits-cnn');
      assert.equal(infer.attributes['layerscope.model_version'], '1');
      assert.equal(infer.attributes['layerscope.request.rows'], 4);
      assert.equal(infer.attributes['layerscope.batch.rows'], 8);
      assert.equal(infer.attributes['layerscope.outcome'], 'success');
      assert.deepEqual(infer.attributes['layerscope.input.datatypes'], ['input:FP32']);
    }
    const inferIds = infers.map((s) => s.spanContext().spanId).sort();
    const queues = byName(spans, 'queue');
    assert.deepEqual(queues.map(parentId).sort(), inferIds, 'one queue span under each infer span');

    const batches = byName(spans, 'batch digits-cnn');
    assert.equal(batches.length, 1);
    const batch = batches[0]!;
    assert.deepEqual(batch.links.map((l) => l.context.spanId).sort(), inferIds, 'the batch links to both requests');
    assert.ok(inferIds.includes(parentId(batch)!), 'the batch lives in the first request trace');
    assert.equal(batch.attributes['layerscope.batch.size'], 8);
    assert.equal(batch.attributes['layerscope.batch.requests'], 2);
    assert.equal(batch.attributes['layerscope.instance'], 0);
    assert.equal(batch.attributes['layerscope.execution_provider'], 'cpu');

    const compute = byName(spans, 'compute');
    assert.equal(compute.length, 1);
    assert.equal(parentId(compute[0]!), batch.spanContext().spanId);
    assert.deepEqual(compute[0]!.events.map((e) => e.name), ['input', 'infer', 'output']);
    assert.ok(Number(compute[0]!.attributes['layerscope.compute.infer_ns']) > 0);
  });

  test('a failing request records the error on its infer span', async () => {
    exporter.reset();
    const res = await services.app.inject({
      method: 'POST',
      url: '/v2/models/digits-cnn/infer',
      payload: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 7, 8], data: new Array(56).fill(0) }] }),
      headers: { traceparent: traceparent('00f067aa0ba902b9') },
    });
    assert.equal(res.statusCode, 400);
    const [infer] = byName(exporter.getFinishedSpans(), 'infer digits-cnn');
    assert.ok(infer);
    assert.equal(infer.status.code, SpanStatusCode.ERROR);
    assert.match(String(infer.status.message), /unexpected shape/);
    assert.equal(infer.attributes['layerscope.error.code'], 'LS_ERR_INPUT_SHAPE');
    assert.ok(infer.events.some((e) => e.name === 'exception'));
  });

  test('an untraced request (no parent, sampler on) still gets a root server span', async () => {
    exporter.reset();
    const res = await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: readGolden('digits-cnn').inputText });
    assert.equal(res.statusCode, 200);
    const [server] = byName(exporter.getFinishedSpans(), 'POST /v2/models/:model/infer');
    assert.ok(server);
    assert.equal(server.parentSpanContext, undefined);
  });
});

describe('per-layer events on sampled, traced batches', () => {
  let repo: TempRepo;
  let services: Services;
  before(async () => {
    exporter.reset();
    repo = createTempRepo();
    repo.copyShipped('digits-cnn');
    repo.write('digits-cnn/config.json', JSON.stringify({ max_batch_size: 64, instance_group: [{ count: 1 }], observe: { sample_rate: 1, max_batches_per_second: 1000 } }));
    services = await composeLoaded(['--tracing', '--profile-window-ms', '200', '--profile-window-samples', '2', '--profile-cpu-budget', '1'], repo.dir);
  });
  after(async () => {
    await services.shutdown();
    repo.remove();
  });

  test('a sampled batch span carries one event per observed layer with its duration and share', async () => {
    const body = readGolden('digits-cnn').inputText;
    let profiled: ReadableSpan | undefined;
    for (let i = 0; i < 200 && !profiled; i++) {
      const id = (0x1000 + i).toString(16).padStart(16, '0');
      assert.equal((await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: body, headers: { traceparent: traceparent(id) } })).statusCode, 200);
      profiled = exporter.getFinishedSpans().find((s) => s.name === 'batch digits-cnn' && s.attributes['layerscope.profiled'] === true);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(profiled, 'a traced batch was sampled after a profiling window closed');
    assert.deepEqual(
      profiled.events.map((e) => e.name),
      ['layer preprocess', 'layer block1', 'layer block2', 'layer classifier', 'layer head'],
    );
    for (const event of profiled.events) {
      assert.equal(typeof event.attributes?.['layerscope.layer.duration_ms'], 'number');
      assert.ok(Number(event.attributes?.['layerscope.layer.share']) >= 0);
    }
  });
});
