import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FifoQueue } from '../../../src/runtime/fifo-queue.js';

test('a FIFO queue returns items in the order they were pushed', () => {
  const queue = new FifoQueue<number>(4);
  for (let i = 0; i < 3; i++) queue.push(i);
  assert.equal(queue.shift(), 0);
  assert.equal(queue.shift(), 1);
  assert.equal(queue.size, 1);
});

test('a FIFO queue keeps its order when it wraps around and grows', () => {
  const queue = new FifoQueue<number>(2);
  const out: number[] = [];
  let next = 0;
  // Interleave pushes and shifts so the head moves before the buffer has to grow.
  for (let round = 0; round < 10; round++) {
    for (let k = 0; k < round + 1; k++) queue.push(next++);
    out.push(queue.shift() as number);
  }
  while (queue.size > 0) out.push(queue.shift() as number);
  assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
});

test('an empty FIFO queue shifts undefined', () => {
  const queue = new FifoQueue<string>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.size, 0);
});
