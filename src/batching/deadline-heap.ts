/** What the heap needs from an item: its deadline and a slot where the heap keeps its position. */
export interface HeapItem {
  readonly deadlineNs: bigint;
  /** Position in the heap, -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

/**
 * A binary min-heap of queued requests ordered by deadline. Requests leave the queue in many ways
 * (dispatched, canceled, moved by DELAY), so the heap tracks each item's index and removes it in
 * O(log n) instead of keeping dead items until their deadline passes.
 */
export class DeadlineHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The item with the nearest deadline. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the item with the nearest deadline. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` if it is in the heap; a no-op otherwise. */
  remove(item: T): void {
    const index = item.heapIndex;
    if (index < 0 || this.#items[index] !== item) return;
    item.heapIndex = -1;
    const last = this.#items.pop() as T;
    if (index === this.#items.length) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.#down(index);
    this.#up(last.heapIndex);
  }

  #up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#at(parent).deadlineNs <= this.#at(i).deadlineNs) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.#items.length && this.#at(left).deadlineNs < this.#at(smallest).deadlineNs) smallest = left;
      if (right < this.#items.length && this.#at(right).deadlineNs < this.#at(smallest).deadlineNs) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #at(index: number): T {
    return this.#items[index] as T;
  }

  #swap(a: number, b: number): void {
    const itemA = this.#at(a);
    const itemB = this.#at(b);
    this.#items[a] = itemB;
    this.#items[b] = itemA;
    itemB.heapIndex = a;
    itemA.heapIndex = b;
  }
}
