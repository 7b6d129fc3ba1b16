import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRequest } from '../../../src/runtime/runner.js';
import type { Tensor } from '../../../src/types/tensor.js';
import { doubleFirstInput } from '../../helpers/fake-runner.js';
import { releaseRounds, rowsRequest, setup, tick, track, values } from './batcher-fixtures.js';

/** Enqueues a one-row request that takes the only instance, so later arrivals queue up. */
function occupy(batcher: ReturnType<typeof setup>['batcher']) {
  return track(batcher.enqueue(rowsRequest(1, { first: 1000 })));
}

describe('dynamic batcher: batch sizes', () => {
  test('requests arriving in the same event-loop turn while an instance is idle form one batch', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8, deferPump: true });
    const requests = Array.from({ length: 5 }, (_, i) => track(batcher.enqueue(rowsRequest(1, { first: i * 10 }))));
    assert.deepEqual(runner.batchRows, [], 'nothing leaves before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(runner.batchRows, [5], 'the whole burst leaves together, without a timer');
    await releaseRounds(runner, 1);
    assert.ok(requests.every((r) => r.settled && r.result?.batchRows === 5));
  });

  test('with two instances idle, a burst sends an instance\'s share of a full batch at once and the rest at the end of the turn', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8, instances: 2, deferPump: true });
    const requests: ReturnType<typeof track>[] = [];
    for (let i = 0; i < 3; i++) requests.push(track(batcher.enqueue(rowsRequest(1, { first: i * 10 }))));
    assert.deepEqual(runner.batchRows, [], 'below max_batch_size ÷ instances (4 rows) the burst waits for the end of the turn');
    requests.push(track(batcher.enqueue(rowsRequest(1, { first: 30 }))));
    assert.deepEqual(runner.batchRows, [4], 'the fourth row completes a share: it leaves mid-turn, on one instance');
    for (let i = 4; i < 10; i++) requests.push(track(batcher.enqueue(rowsRequest(1, { first: i * 10 }))));
    assert.deepEqual(runner.batchRows, [4], 'one instance left: the rest of the burst waits for the turn to end');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(runner.batchRows, [4, 6], 'the rest leaves together on the other instance');
    await releaseRounds(runner, 1);
    assert.deepEqual(requests.map((r) => r.result?.batchRows), [4, 4, 4, 4, 6, 6, 6, 6, 6, 6]);
  });

  test('eight single-row requests arriving while the only instance is busy run as one batch of 8', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8 });
    occupy(batcher);
    const requests = Array.from({ length: 8 }, (_, i) => track(batcher.enqueue(rowsRequest(1, { first: i * 10 }))));
    assert.deepEqual(runner.batchRows, [1]);
    assert.equal(batcher.pending(), 8);
    await releaseRounds(runner, 2);
    assert.deepEqual(runner.batchRows, [1, 8]);
    assert.ok(requests.every((r) => r.settled && r.result?.batchRows === 8));
  });

  test('with max_batch_size 4 the same eight requests run as two batches of 4', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 4 });
    occupy(batcher);
    const requests = Array.from({ length: 8 }, () => track(batcher.enqueue(rowsRequest(1))));
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.batchRows, [1, 4, 4]);
    assert.ok(requests.every((r) => r.settled && r.error === undefined));
  });

  test('rows, not requests, fill a batch: requests of 3+3+3 rows with max 8 run as 6 then 3', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8 });
    occupy(batcher);
    const requests = [0, 1, 2].map(() => track(batcher.enqueue(rowsRequest(3))));
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.batchRows, [1, 6, 3]);
    assert.deepEqual(requests.map((r) => r.result?.batchRows), [6, 6, 3]);
  });

  test('a preferred batch size cuts the batch early even when more requests wait', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8, batching: { preferred_batch_size: [4] } });
    occupy(batcher);
    for (let i = 0; i < 5; i++) void batcher.enqueue(rowsRequest(1));
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.batchRows, [1, 4, 1]);
  });

  test('a batch stops at the largest preferred size it can reach without exceeding it', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8, batching: { preferred_batch_size: [4] } });
    occupy(batcher);
    void batcher.enqueue(rowsRequest(3));
    void batcher.enqueue(rowsRequest(3));
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.batchRows, [1, 3, 3]);
  });

  test('requests whose non-batch dims differ are not batched together and do not block the queue', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8 });
    occupy(batcher);
    const narrow = [0, 1].map(() => track(batcher.enqueue(rowsRequest(1, { width: 2 }))));
    const wide = [0, 1].map(() => track(batcher.enqueue(rowsRequest(1, { width: 3 }))));
    const last = track(batcher.enqueue(rowsRequest(1, { width: 2 })));
    await releaseRounds(runner, 4);
    assert.deepEqual(runner.batchRows, [1, 2, 2, 1]);
    assert.deepEqual(runner.runs.map((r) => r.inputs[0]?.shape[1]), [2, 2, 3, 2]);
    assert.ok([...narrow, ...wide, last].every((r) => r.settled && r.error === undefined));
    assert.deepEqual(wide[1]?.result?.outputs[0]?.shape, [1, 3]);
  });
});

describe('dynamic batcher: queue delay', () => {
  test('with max_queue_delay 1000 µs a lone request waits until the clock passes 1 ms, not before', async () => {
    const { batcher, runner, clock } = setup({ batching: { max_queue_delay_microseconds: 1000 } });
    const request = track(batcher.enqueue(rowsRequest(1)));
    assert.equal(runner.runs.length, 0);
    clock.advanceNs(999_999n);
    assert.equal(runner.runs.length, 0);
    clock.advanceNs(1n);
    assert.deepEqual(runner.batchRows, [1]);
    await releaseRounds(runner);
    assert.equal(request.result?.queueNs, 1_000_000);
  });

  test('with no delay and an idle instance a request is dispatched at once, without a timer', () => {
    const { batcher, runner, clock } = setup();
    void batcher.enqueue(rowsRequest(1));
    assert.deepEqual(runner.batchRows, [1]);
    assert.equal(clock.armedTimers, 0);
    assert.equal(batcher.pending(), 0);
  });

  test('the delay counts from the oldest request in the batch', () => {
    const { batcher, runner, clock } = setup({ batching: { max_queue_delay_microseconds: 1000 } });
    void batcher.enqueue(rowsRequest(1));
    clock.advanceUs(600);
    void batcher.enqueue(rowsRequest(1));
    clock.advanceUs(399);
    assert.equal(runner.runs.length, 0);
    clock.advanceUs(1);
    assert.deepEqual(runner.batchRows, [2]);
  });

  test('an arrival that fills max_batch_size during the delay is sent at once', () => {
    const { batcher, runner, clock } = setup({ maxBatchSize: 4, batching: { max_queue_delay_microseconds: 1000 } });
    void batcher.enqueue(rowsRequest(2));
    assert.equal(runner.runs.length, 0);
    void batcher.enqueue(rowsRequest(2));
    assert.deepEqual(runner.batchRows, [4]);
    assert.equal(clock.armedTimers, 0);
  });

  test('an arrival that reaches a preferred size during the delay is sent at once', () => {
    const { batcher, runner } = setup({ maxBatchSize: 8, batching: { max_queue_delay_microseconds: 100_000, preferred_batch_size: [2, 4] } });
    void batcher.enqueue(rowsRequest(1));
    assert.equal(runner.runs.length, 0);
    void batcher.enqueue(rowsRequest(1));
    assert.deepEqual(runner.batchRows, [2]);
  });

  test('once the delay is exceeded the whole pending batch is sent, beyond a preferred size', async () => {
    const { batcher, runner, clock } = setup({ maxBatchSize: 8, batching: { max_queue_delay_microseconds: 1000, preferred_batch_size: [4] } });
    occupy(batcher);
    clock.advanceUs(1000);
    assert.deepEqual(runner.batchRows, [1]);
    for (let i = 0; i < 3; i++) void batcher.enqueue(rowsRequest(2));
    clock.advanceUs(1000);
    await releaseRounds(runner, 2);
    assert.deepEqual(runner.batchRows, [1, 6]);
  });

  test('a busy instance holds the batch; when it frees up after the delay the batch leaves at once', async () => {
    const { batcher, runner, clock } = setup({ batching: { max_queue_delay_microseconds: 1000 } });
    clock.advanceUs(1000);
    void batcher.enqueue(rowsRequest(1));
    clock.advanceUs(1000);
    assert.deepEqual(runner.batchRows, [1]);
    void batcher.enqueue(rowsRequest(1));
    void batcher.enqueue(rowsRequest(1));
    clock.advanceUs(5000);
    assert.deepEqual(runner.batchRows, [1]);
    await releaseRounds(runner);
    assert.deepEqual(runner.batchRows, [1, 2]);
  });
});

describe('dynamic batcher: scatter', () => {
  test('each request gets exactly its own rows of every output', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 8 });
    occupy(batcher);
    const small = track(batcher.enqueue(rowsRequest(1, { first: 100 })));
    const large = track(batcher.enqueue(rowsRequest(3, { first: 200 })));
    await releaseRounds(runner, 2);
    assert.deepEqual(values(runner.runs[1]?.inputs[0]), [100, 101, 200, 201, 202, 203, 204, 205]);
    assert.deepEqual(small.result?.outputs[0]?.shape, [1, 2]);
    assert.deepEqual(values(small.result?.outputs[0]), [200, 202]);
    assert.deepEqual(large.result?.outputs[0]?.shape, [3, 2]);
    assert.deepEqual(values(large.result?.outputs[0]), [400, 402, 404, 406, 408, 410]);
    assert.equal(small.result?.batchRows, 4);
    assert.equal(large.result?.instance, 0);
  });

  test('a single-request batch passes its tensors to the runner without copying', async () => {
    let seen: Tensor | undefined;
    const compute = (request: RunRequest) => {
      seen = request.inputs[0];
      return doubleFirstInput(request);
    };
    const { batcher, runner } = setup({ compute });
    const request = rowsRequest(2);
    const result = track(batcher.enqueue(request));
    await releaseRounds(runner);
    assert.equal(seen?.data, request.inputs[0]?.data);
    assert.deepEqual(values(result.result?.outputs[0]), [0, 2, 4, 6]);
  });

  test('an output whose dim 0 is not the batch size reaches every request whole', async () => {
    const compute = (request: RunRequest): Tensor[] => [
      ...doubleFirstInput({ ...request, outputNames: ['y'] }),
      { name: 'count', datatype: 'FP32', shape: [1], data: Float32Array.of(request.inputs[0]?.shape[0] ?? 0) },
    ];
    const outputs = [
      { name: 'y', datatype: 'FP32' as const, dims: [-1] },
      { name: 'count', datatype: 'FP32' as const, dims: [] },
    ];
    const { batcher, runner } = setup({ compute, outputs });
    occupy(batcher);
    const a = track(batcher.enqueue(rowsRequest(1)));
    const b = track(batcher.enqueue(rowsRequest(2)));
    await releaseRounds(runner, 2);
    assert.deepEqual(runner.runs[1]?.outputNames, ['y', 'count']);
    assert.deepEqual(values(a.result?.outputs[1]), [3]);
    assert.deepEqual(values(b.result?.outputs[1]), [3]);
    await tick();
  });
});
