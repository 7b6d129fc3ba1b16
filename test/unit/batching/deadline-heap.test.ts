import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineHeap, type HeapItem } from '../../../src/batching/deadline-heap.js';

interface Item extends HeapItem {
  readonly id: number;
}

const item = (id: number, deadlineNs: bigint): Item => ({ id, deadlineNs, heapIndex: -1 });

test('a deadline heap pops items nearest deadline first', () => {
  const heap = new DeadlineHeap<Item>();
  const deadlines = [50n, 10n, 40n, 30n, 20n, 60n, 5n];
  deadlines.forEach((d, i) => heap.push(item(i, d)));
  const popped: bigint[] = [];
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) popped.push(top.deadlineNs);
  assert.deepEqual(popped, [...deadlines].sort((a, b) => Number(a - b)));
});

test('a deadline heap removes an item from the middle and keeps its order', () => {
  const heap = new DeadlineHeap<Item>();
  const items = [70n, 10n, 50n, 20n, 40n, 30n, 60n].map((d, i) => item(i, d));
  for (const i of items) heap.push(i);
  heap.remove(items[2] as Item);
  heap.remove(items[1] as Item);
  heap.remove(items[1] as Item); // removing twice is a no-op
  assert.equal((items[1] as Item).heapIndex, -1);
  const popped: bigint[] = [];
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) popped.push(top.deadlineNs);
  assert.deepEqual(popped, [20n, 30n, 40n, 60n, 70n]);
  assert.equal(heap.size, 0);
});
