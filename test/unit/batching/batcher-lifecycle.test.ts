import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduledRequest } from '../../../src/batching/scheduler.js';
import { ServingError } from '../../../src/errors/serving-error.js';
import { channels, type BatchEvent, type BatchStartEvent, type QueueEvent } from '../../../src/observe/events.js';
import { releaseRounds, rowsRequest, settleOrder, setup, tick, track, values } from './batcher-fixtures.js';

/** A request for a model without a batch dim: input x of shape [2]. */
function unbatchedRequest(first: number, signal?: AbortSignal): ScheduledRequest {
  return {
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: Float32Array.of(first, first + 1) }],
    rows: 1,
    ...(signal ? { signal } : {}),
  };
}

describe('dynamic batcher: cancellation', () => {
  test('a queued request whose client disconnects is rejected with LS_ERR_REQUEST_CANCELED and never runs', async () => {
    const { batcher, runner } = setup();
    void batcher.enqueue(rowsRequest(1));
    const controller = new AbortController();
    const gone = track(batcher.enqueue(rowsRequest(1, { signal: controller.signal })));
    const stays = track(batcher.enqueue(rowsRequest(1)));
    controller.abort();
    await tick();
    assert.equal(gone.error?.code, 'LS_ERR_REQUEST_CANCELED');
    assert.match(gone.error?.message ?? '', /client disconnected/);
    assert.equal(batcher.pending(), 1);
    await releaseRounds(runner, 2);
    assert.deepEqual(runner.batchRows, [1, 1]);
    assert.equal(stays.error, undefined);
  });

  test('a request that is already running completes normally when its client disconnects', async () => {
    const { batcher, runner } = setup();
    const controller = new AbortController();
    const running = track(batcher.enqueue(rowsRequest(1, { signal: controller.signal })));
    controller.abort();
    await releaseRounds(runner);
    assert.equal(running.error, undefined);
    assert.equal(running.settled, true);
  });

  test('a request whose signal is already aborted is refused without being queued', async () => {
    const { batcher, runner } = setup();
    await assert.rejects(batcher.enqueue(rowsRequest(1, { signal: AbortSignal.abort() })), { code: 'LS_ERR_REQUEST_CANCELED' });
    assert.equal(runner.runs.length, 0);
    assert.equal(batcher.pending(), 0);
  });
});

describe('dynamic batcher: ordering, failures and instances', () => {
  test('with preserve_ordering a later response waits until earlier requests settle', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 1, instances: 2, batching: { preserve_ordering: true } });
    const requests = [track(batcher.enqueue(rowsRequest(1))), track(batcher.enqueue(rowsRequest(1)))];
    const order = settleOrder(requests);
    runner.runs[1]?.release();
    await tick();
    assert.equal(requests[1]?.settled, false);
    runner.runs[0]?.release();
    await tick();
    assert.deepEqual(order, [0, 1]);
  });

  test('without preserve_ordering a response leaves as soon as its batch finishes', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 1, instances: 2 });
    const requests = [track(batcher.enqueue(rowsRequest(1))), track(batcher.enqueue(rowsRequest(1)))];
    const order = settleOrder(requests);
    runner.runs[1]?.release();
    await tick();
    runner.runs[0]?.release();
    await tick();
    assert.deepEqual(order, [1, 0]);
  });

  test('with preserve_ordering a request rejected in the queue does not hold back later ones', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 1, batching: { preserve_ordering: true } });
    void batcher.enqueue(rowsRequest(1));
    const controller = new AbortController();
    const canceled = track(batcher.enqueue(rowsRequest(1, { signal: controller.signal })));
    const later = track(batcher.enqueue(rowsRequest(1)));
    controller.abort();
    await releaseRounds(runner, 2);
    assert.equal(canceled.error?.code, 'LS_ERR_REQUEST_CANCELED');
    assert.equal(later.error, undefined);
    assert.equal(later.settled, true);
  });

  test('a failed batch fails every member with the cause, and the next batch still runs', async () => {
    const { batcher, runner } = setup();
    void batcher.enqueue(rowsRequest(1));
    const members = [0, 1, 2].map(() => track(batcher.enqueue(rowsRequest(1))));
    const after = track(batcher.enqueue(rowsRequest(1, { width: 5 })));
    await releaseRounds(runner);
    const cause = new ServingError('LS_ERR_RUNTIME_EXECUTION', { model: 'fake', detail: 'boom' });
    runner.runs[1]?.fail(cause);
    await tick();
    assert.ok(members.every((m) => m.error === cause));
    await releaseRounds(runner);
    assert.equal(after.error, undefined);
  });

  test('a batch failing with a plain error fails its members with LS_ERR_RUNTIME_EXECUTION keeping the cause', async () => {
    const { batcher, runner } = setup();
    const request = track(batcher.enqueue(rowsRequest(1)));
    const cause = new Error('worker exploded');
    runner.failNext(cause);
    await releaseRounds(runner);
    assert.equal(request.error?.code, 'LS_ERR_RUNTIME_EXECUTION');
    assert.match(request.error?.message ?? '', /worker exploded/);
    assert.equal(request.error?.cause, cause);
  });

  test('batches are spread over two instances', async () => {
    const { batcher, runner } = setup({ instances: 2 });
    void batcher.enqueue(rowsRequest(1));
    void batcher.enqueue(rowsRequest(1));
    assert.deepEqual(runner.runs.map((r) => r.instance), [0, 1]);
    for (let i = 0; i < 4; i++) void batcher.enqueue(rowsRequest(1));
    assert.equal(runner.runs.length, 2);
    runner.runs[1]?.release();
    await tick();
    assert.deepEqual(runner.runs.map((r) => [r.rows, r.instance]), [[1, 0], [1, 1], [4, 1]]);
  });
});

describe('dynamic batcher: instances it does not own', () => {
  test('when no instance is idle and none of its batches runs, it still sends one so requests are not stranded', async () => {
    const { batcher, runner } = setup();
    const outside = runner.run({ inputs: rowsRequest(1).inputs, outputNames: ['y'] }); // e.g. warmup or a restart
    const request = track(batcher.enqueue(rowsRequest(1, { first: 3 })));
    assert.equal(runner.runs.length, 2);
    assert.equal(runner.runs[1]?.instance, -1);
    runner.runs[0]?.release();
    await outside;
    await releaseRounds(runner);
    assert.deepEqual(values(request.result?.outputs[0]), [6, 8]);
  });

  test('an instance freed by someone else is used as soon as the runner reports it idle', async () => {
    const { batcher, runner } = setup({ instances: 2 });
    const outside = runner.run({ inputs: rowsRequest(1).inputs, outputNames: ['y'] });
    void batcher.enqueue(rowsRequest(1));
    for (let i = 0; i < 3; i++) void batcher.enqueue(rowsRequest(1));
    assert.deepEqual(runner.runs.map((r) => r.instance), [0, 1]);
    runner.runs[0]?.release();
    await outside;
    await tick();
    assert.deepEqual(runner.runs.map((r) => [r.rows, r.instance]), [[1, 0], [1, 1], [3, 0]]);
  });

  test('a runner that throws synchronously fails the batch members and leaves the batcher usable', async () => {
    const { batcher, runner } = setup();
    const original = runner.run.bind(runner);
    let throwOnce = true;
    runner.run = (request) => {
      if (!throwOnce) return original(request);
      throwOnce = false;
      throw new Error('no session');
    };
    await assert.rejects(batcher.enqueue(rowsRequest(1)), { code: 'LS_ERR_RUNTIME_EXECUTION' });
    const next = track(batcher.enqueue(rowsRequest(1)));
    await releaseRounds(runner);
    assert.equal(next.error, undefined);
    await batcher.drain();
  });
});

describe('dynamic batcher: drain and models without dynamic batching', () => {
  test('drain sends queued requests without waiting out the delay, refuses new work and resolves when all ran', async () => {
    const { batcher, runner } = setup({ batching: { max_queue_delay_microseconds: 10_000_000 } });
    const queued = [track(batcher.enqueue(rowsRequest(1))), track(batcher.enqueue(rowsRequest(1)))];
    assert.equal(runner.runs.length, 0);
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    assert.deepEqual(runner.batchRows, [2]);
    await assert.rejects(batcher.enqueue(rowsRequest(1)), { code: 'LS_ERR_SHUTTING_DOWN' });
    await tick();
    assert.equal(drained, false);
    await releaseRounds(runner);
    await draining;
    assert.ok(queued.every((r) => r.settled && r.error === undefined));
  });

  test('drain of an idle batcher resolves at once', async () => {
    const { batcher } = setup();
    await batcher.drain();
    assert.equal(batcher.pending(), 0);
  });

  test('a non-batching model runs requests one by one through the queue', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 0, batching: null });
    const requests = [1, 10, 20].map((first) => track(batcher.enqueue(unbatchedRequest(first))));
    assert.equal(runner.runs.length, 1);
    assert.equal(batcher.pending(), 2);
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.runs.map((r) => r.inputs[0]?.shape), [[2], [2], [2]]);
    assert.deepEqual(requests.map((r) => values(r.result?.outputs[0])), [[2, 4], [20, 22], [40, 42]]);
  });

  test('a queued request of a non-batching model is dropped when its client disconnects', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 0, batching: null });
    void batcher.enqueue(unbatchedRequest(1));
    const controller = new AbortController();
    const gone = track(batcher.enqueue(unbatchedRequest(2, controller.signal)));
    controller.abort();
    await releaseRounds(runner, 2);
    assert.equal(gone.error?.code, 'LS_ERR_REQUEST_CANCELED');
    assert.equal(runner.runs.length, 1);
  });

  test('a model with max_batch_size but no dynamic_batching runs one request per execution', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8, batching: null });
    for (let i = 0; i < 3; i++) void batcher.enqueue(rowsRequest(2));
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.batchRows, [2, 2, 2]);
  });
});

describe('dynamic batcher: telemetry', () => {
  test('publishes the pending count when it changes', async () => {
    const events: number[] = [];
    const onQueue = (message: unknown) => {
      const event = message as QueueEvent;
      if (event.model === 'fake') events.push(event.pending);
    };
    channels.queue.subscribe(onQueue);
    try {
      const { batcher, runner } = setup();
      void batcher.enqueue(rowsRequest(1));
      void batcher.enqueue(rowsRequest(1));
      void batcher.enqueue(rowsRequest(1));
      await releaseRounds(runner, 2);
      assert.deepEqual(events, [1, 2, 0]);
    } finally {
      channels.queue.unsubscribe(onQueue);
    }
  });

  test('publishes a batch-start event with the readable inputs before each run and a batch event after it', async () => {
    const events: BatchEvent[] = [];
    const started: number[][] = [];
    const onBatch = (message: unknown) => events.push(message as BatchEvent);
    // A sampling subscriber copies synchronously: the buffers move to the runner right after.
    const onStart = (message: unknown) => started.push(values((message as BatchStartEvent).inputs[0]));
    channels.batch.subscribe(onBatch);
    channels.batchStart.subscribe(onStart);
    try {
      const { batcher, runner } = setup();
      void batcher.enqueue(rowsRequest(1, { first: 1 }));
      void batcher.enqueue(rowsRequest(1, { first: 5 }));
      void batcher.enqueue(rowsRequest(2, { first: 7 }));
      await releaseRounds(runner, 2);
      assert.deepEqual(events.map((e) => [e.model, e.version, e.rows, e.requests, e.instance]), [
        ['fake', '1', 1, 1, 0],
        ['fake', '1', 3, 2, 0],
      ]);
      assert.deepEqual(started, [[1, 2], [5, 6, 7, 8, 9, 10]]);
      assert.deepEqual(events[1]?.timings, { inputNs: 1, inferNs: 2, outputNs: 3 });
    } finally {
      channels.batch.unsubscribe(onBatch);
      channels.batchStart.unsubscribe(onStart);
    }
  });
});
