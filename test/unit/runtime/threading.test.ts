import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultThreading } from '../../../src/runtime/threading.js';

test('two cores get two single-threaded instances, as measured best for throughput', () => {
  assert.deepEqual(defaultThreading(2), { instanceCount: 2, intraOpThreads: 1 });
});

test('one core gets one single-threaded instance', () => {
  assert.deepEqual(defaultThreading(1), { instanceCount: 1, intraOpThreads: 1 });
});

test('larger machines split their cores between instances without oversubscribing', () => {
  for (const cores of [3, 4, 6, 8, 12, 16, 32, 64]) {
    const { instanceCount, intraOpThreads } = defaultThreading(cores);
    assert.ok(instanceCount >= 2, `${cores} cores: ${instanceCount} instances`);
    assert.ok(intraOpThreads >= 1 && intraOpThreads <= 4, `${cores} cores: ${intraOpThreads} threads`);
    assert.ok(instanceCount * intraOpThreads <= cores, `${cores} cores oversubscribed`);
  }
  assert.deepEqual(defaultThreading(16), { instanceCount: 4, intraOpThreads: 4 });
});

test('the default uses the cores this process may run on', () => {
  const { instanceCount, intraOpThreads } = defaultThreading();
  assert.ok(instanceCount >= 1 && intraOpThreads >= 1);
});
