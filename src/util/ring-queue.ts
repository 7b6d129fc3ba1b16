/**
 * A growable ring buffer used as a FIFO queue: O(1) push, shift and indexed reads, without
 * `Array.shift()`'s O(n) copy on the hot path (the idea of undici's `fixed-queue.js`).
 *
 * Removal from the middle is left to the owner as lazy deletion: mark the item dead, skip dead
 * items while walking with `at()`, and call `discardHead()` so dead items at the front are
 * dropped and can be collected.
 */
export class RingQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  /** `capacity` is rounded up to a power of two; the buffer doubles whenever it is full. */
  constructor(capacity = 16) {
    let size = 2;
    while (size < capacity) size *= 2;
    this.#items = new Array<T | undefined>(size);
  }

  /** Items held, dead ones included. */
  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let the item be collected
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return item;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `index` places behind the oldest (0 = oldest); undefined when out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#items[(this.#head + index) & (this.#items.length - 1)];
  }

  /** Drops items from the front while `isDead` holds; returns how many were dropped. */
  discardHead(isDead: (item: T) => boolean): number {
    let dropped = 0;
    for (let item = this.peek(); item !== undefined && isDead(item); item = this.peek()) {
      this.shift();
      dropped++;
    }
    return dropped;
  }

  #grow(): void {
    const mask = this.#items.length - 1;
    const grown = new Array<T | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) grown[i] = this.#items[(this.#head + i) & mask];
    this.#items = grown;
    this.#head = 0;
  }
}
