import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../../src/batching/clock.js';

test('the real clock fires sub-millisecond timers on a later turn and longer ones after about their delay', async () => {
  for (const ms of [0.2, 2]) {
    const started = realClock.now();
    const firedNs = await new Promise<bigint>((resolve) => realClock.setTimer(() => resolve(realClock.now()), ms));
    // setTimeout may round down by under a millisecond; the batcher re-checks the time when a timer fires.
    assert.ok(firedNs - started >= BigInt(Math.floor(ms)) * 1_000_000n - 1_000_000n, `fired after ${firedNs - started} ns`);
  }
});

test('a cleared real-clock timer never fires', async () => {
  let fired = 0;
  realClock.clearTimer(realClock.setTimer(() => fired++, 0));
  realClock.clearTimer(realClock.setTimer(() => fired++, 1));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(fired, 0);
});
