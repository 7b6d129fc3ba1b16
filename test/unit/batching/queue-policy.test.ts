import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineFor, levelIndexFor, resolveQueuePolicies } from '../../../src/batching/queue-policy.js';
import { ServingError } from '../../../src/errors/serving-error.js';
import { dynamicBatchingSchema } from '../../../src/repository/model-config.js';
import { releaseRounds, rowsRequest, setup, tick, track, values, type BatchingInput } from './batcher-fixtures.js';

const policies = (batching: BatchingInput) => resolveQueuePolicies(dynamicBatchingSchema.parse(batching));

/** The first input element of each run, which identifies the request in one-request batches. */
const firstValues = (runner: ReturnType<typeof setup>['runner']) => runner.runs.map((r) => values(r.inputs[0])[0]);

describe('queue policy resolution', () => {
  test('priority_levels 0 means one queue with the default policy', () => {
    const resolved = policies({ default_queue_policy: { max_queue_size: 3 } });
    assert.equal(resolved.levels.length, 1);
    assert.equal(resolved.levels[0]?.maxQueueSize, 3);
    assert.equal(levelIndexFor(resolved, undefined), 0);
    assert.equal(levelIndexFor(resolved, 5), 0);
  });

  test('a level uses its own priority_queue_policy, else the default policy', () => {
    const resolved = policies({
      priority_levels: 3,
      default_priority_level: 2,
      default_queue_policy: { max_queue_size: 7 },
      priority_queue_policy: { '1': { max_queue_size: 1, timeout_action: 'DELAY' } },
    });
    assert.deepEqual(resolved.levels.map((l) => l.maxQueueSize), [1, 7, 7]);
    assert.equal(resolved.levels[0]?.delayOnTimeout, true);
    assert.equal(resolved.levels[1]?.delayOnTimeout, false);
  });

  test('priority 0 or above priority_levels falls back to default_priority_level', () => {
    const resolved = policies({ priority_levels: 3, default_priority_level: 2 });
    assert.deepEqual([0, 1, 2, 3, 4, undefined].map((p) => levelIndexFor(resolved, p)), [1, 0, 1, 2, 1, 1]);
  });

  test('a default_priority_level outside the levels falls back to the lowest priority, never jumps ahead', () => {
    const resolved = policies({ priority_levels: 3, default_priority_level: 0 });
    assert.equal(resolved.defaultLevel, 2);
  });

  test('a timeout override is used only when allowed, non-zero and smaller than the default', () => {
    const level = (timeout: number, allow: boolean) =>
      policies({ default_queue_policy: { default_timeout_microseconds: timeout, allow_timeout_override: allow } }).levels[0]!;
    assert.equal(deadlineFor(level(1000, true), 200, 0n), 200_000n);
    assert.equal(deadlineFor(level(1000, true), 5000, 0n), 1_000_000n);
    assert.equal(deadlineFor(level(1000, true), 0, 0n), 1_000_000n);
    assert.equal(deadlineFor(level(1000, false), 200, 0n), 1_000_000n);
    assert.equal(deadlineFor(level(0, true), 200, 0n), undefined);
  });
});

describe('dynamic batcher: priorities and queue policies', () => {
  test('requests are served by priority level, lower number first, FIFO within a level', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 1, batching: { priority_levels: 3, default_priority_level: 3 } });
    void batcher.enqueue(rowsRequest(1, { first: 0, priority: 1 }));
    const arrivals: [number, number][] = [
      [3, 1],
      [1, 2],
      [2, 3],
      [1, 4],
      [0, 5],
      [9, 6],
    ];
    for (const [priority, first] of arrivals) void batcher.enqueue(rowsRequest(1, { first, priority }));
    await releaseRounds(runner, 7);
    assert.deepEqual(firstValues(runner), [0, 2, 4, 3, 1, 5, 6]);
  });

  test('a batch takes the highest-priority requests first', async () => {
    const { batcher, runner } = setup({ maxBatchSize: 2, batching: { priority_levels: 2, default_priority_level: 2 } });
    void batcher.enqueue(rowsRequest(1, { first: 0 }));
    for (const [priority, first] of [
      [2, 1],
      [2, 2],
      [1, 3],
    ] as const) {
      void batcher.enqueue(rowsRequest(1, { first, priority, width: 1 }));
    }
    await releaseRounds(runner, 3);
    assert.deepEqual(runner.runs.slice(1).map((r) => values(r.inputs[0])), [[3, 1], [2]]);
  });

  test('under REJECT a request whose deadline passes in the queue fails with LS_ERR_QUEUE_TIMEOUT and never runs', async () => {
    const { batcher, runner, clock } = setup({ batching: { default_queue_policy: { default_timeout_microseconds: 1000 } } });
    void batcher.enqueue(rowsRequest(1));
    const late = track(batcher.enqueue(rowsRequest(1)));
    clock.advanceUs(999);
    await tick();
    assert.equal(late.settled, false);
    clock.advanceUs(1);
    await tick();
    assert.equal(late.error?.code, 'LS_ERR_QUEUE_TIMEOUT');
    assert.equal(late.error?.kind, 'unavailable');
    assert.equal(late.error?.message, 'Request timeout expired');
    assert.equal(batcher.pending(), 0);
    await releaseRounds(runner, 2);
    assert.equal(runner.runs.length, 1);
  });

  test('under DELAY an expired request runs after the requests that have not expired', async () => {
    const { batcher, runner, clock } = setup({
      maxBatchSize: 1,
      batching: { default_queue_policy: { default_timeout_microseconds: 1000, timeout_action: 'DELAY' } },
    });
    void batcher.enqueue(rowsRequest(1, { first: 0 }));
    const expired = track(batcher.enqueue(rowsRequest(1, { first: 1 })));
    clock.advanceUs(500);
    void batcher.enqueue(rowsRequest(1, { first: 2 }));
    void batcher.enqueue(rowsRequest(1, { first: 3 }));
    clock.advanceUs(600);
    await releaseRounds(runner, 4);
    assert.deepEqual(firstValues(runner), [0, 2, 3, 1]);
    assert.equal(expired.error, undefined);
    assert.deepEqual(values(expired.result?.outputs[0]), [2, 4]);
  });

  test('a request timeout override lowers the deadline but never raises it', async () => {
    const { batcher, clock } = setup({
      batching: { default_queue_policy: { default_timeout_microseconds: 1000, allow_timeout_override: true } },
    });
    void batcher.enqueue(rowsRequest(1));
    const shorter = track(batcher.enqueue(rowsRequest(1, { timeoutUs: 300 })));
    const longer = track(batcher.enqueue(rowsRequest(1, { timeoutUs: 5000 })));
    clock.advanceUs(300);
    await tick();
    assert.equal(shorter.error?.code, 'LS_ERR_QUEUE_TIMEOUT');
    assert.equal(longer.settled, false);
    clock.advanceUs(700);
    await tick();
    assert.equal(longer.error?.code, 'LS_ERR_QUEUE_TIMEOUT');
  });

  test('with a default timeout of 0 a request override never applies', async () => {
    const { batcher, runner, clock } = setup({ batching: { default_queue_policy: { allow_timeout_override: true } } });
    void batcher.enqueue(rowsRequest(1));
    const waiting = track(batcher.enqueue(rowsRequest(1, { timeoutUs: 100 })));
    clock.advanceUs(10_000);
    await tick();
    assert.equal(waiting.settled, false);
    assert.equal(clock.armedTimers, 0);
    await releaseRounds(runner, 2);
    assert.equal(waiting.error, undefined);
    assert.equal(waiting.result?.queueNs, 10_000_000);
  });

  test('a full queue rejects at once with LS_ERR_QUEUE_FULL, not counting running requests', async () => {
    const { batcher, runner } = setup({ batching: { default_queue_policy: { max_queue_size: 2 } } });
    void batcher.enqueue(rowsRequest(1));
    void batcher.enqueue(rowsRequest(1));
    void batcher.enqueue(rowsRequest(1));
    await assert.rejects(batcher.enqueue(rowsRequest(1)), (error: unknown) => {
      assert.ok(error instanceof ServingError);
      assert.equal(error.code, 'LS_ERR_QUEUE_FULL');
      assert.equal(error.kind, 'unavailable');
      assert.deepEqual(error.params, { limit: 2, model: 'fake' });
      return true;
    });
    assert.equal(batcher.pending(), 2);
    await releaseRounds(runner);
    void batcher.enqueue(rowsRequest(1));
    assert.equal(batcher.pending(), 1);
  });

  test('each priority level has its own queue limit', async () => {
    const { batcher } = setup({
      batching: { priority_levels: 2, default_priority_level: 2, priority_queue_policy: { '1': { max_queue_size: 1 } } },
    });
    void batcher.enqueue(rowsRequest(1, { priority: 2 }));
    void batcher.enqueue(rowsRequest(1, { priority: 1 }));
    await assert.rejects(batcher.enqueue(rowsRequest(1, { priority: 1 })), { code: 'LS_ERR_QUEUE_FULL' });
    for (let i = 0; i < 3; i++) void batcher.enqueue(rowsRequest(1, { priority: 2 }));
    assert.equal(batcher.pending(), 4);
  });
});
