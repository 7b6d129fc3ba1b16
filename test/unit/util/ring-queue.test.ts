import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingQueue } from '../../../src/util/ring-queue.js';

test('a ring queue returns items in the order they were pushed', () => {
  const queue = new RingQueue<number>(4);
  for (let i = 0; i < 3; i++) queue.push(i);
  assert.equal(queue.peek(), 0);
  assert.equal(queue.shift(), 0);
  assert.equal(queue.shift(), 1);
  assert.equal(queue.size, 1);
});

test('a ring queue keeps its order when it wraps around and grows', () => {
  const queue = new RingQueue<number>(2);
  const out: number[] = [];
  let next = 0;
  // Interleave pushes and shifts so the head moves before the buffer has to grow.
  for (let round = 0; round < 12; round++) {
    for (let k = 0; k < round + 1; k++) queue.push(next++);
    out.push(queue.shift() as number);
  }
  while (queue.size > 0) out.push(queue.shift() as number);
  assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
});

test('at() reads by position from the oldest item, across the wrap point', () => {
  const queue = new RingQueue<string>(4);
  for (const s of ['a', 'b', 'c', 'd']) queue.push(s);
  queue.shift();
  queue.shift();
  queue.push('e');
  queue.push('f');
  assert.deepEqual([0, 1, 2, 3].map((i) => queue.at(i)), ['c', 'd', 'e', 'f']);
  assert.equal(queue.at(4), undefined);
  assert.equal(queue.at(-1), undefined);
});

test('discardHead drops dead items at the front only', () => {
  const queue = new RingQueue<{ id: number; dead: boolean }>();
  const items = [0, 1, 2, 3].map((id) => ({ id, dead: id !== 2 }));
  for (const item of items) queue.push(item);
  assert.equal(queue.discardHead((i) => i.dead), 2);
  assert.equal(queue.peek()?.id, 2);
  assert.equal(queue.size, 2);
});

test('an empty ring queue shifts and peeks undefined', () => {
  const queue = new RingQueue<number>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.peek(), undefined);
  assert.equal(queue.discardHead(() => true), 0);
});
