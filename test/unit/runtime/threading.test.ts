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

test('large models (files of 64 MiB and more) get fewer instances with more threads each', () => {
  const large = 100 * 1024 * 1024;
  assert.deepEqual(defaultThreading(2, large), { instanceCount: 1, intraOpThreads: 2 });
  assert.deepEqual(defaultThreading(1, large), { instanceCount: 1, intraOpThreads: 1 });
  assert.deepEqual(defaultThreading(4, large), { instanceCount: 1, intraOpThreads: 4 });
  assert.deepEqual(defaultThreading(8, large), { instanceCount: 2, intraOpThreads: 4 });
  assert.deepEqual(defaultThreading(16, large), { instanceCount: 4, intraOpThreads: 4 });
  assert.deepEqual(defaultThreading(2, 64 * 1024 * 1024 - 1), { instanceCount: 2, intraOpThreads: 1 }, 'just below the threshold: the usual split');
  for (const cores of [1, 2, 3, 5, 6, 12, 32]) {
    const { instanceCount, intraOpThreads } = defaultThreading(cores, large);
    assert.ok(instanceCount * intraOpThreads <= Math.max(1, cores), `${cores} cores oversubscribed`);
  }
});
