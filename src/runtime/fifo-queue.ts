/**
 * A growable ring buffer used as a FIFO queue: O(1) push and shift without `Array.shift()`'s
 * O(n) copy on the hot path (the same idea as undici's fixed-queue).
 */
export class FifoQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  /** `capacity` is rounded up to a power of two; the queue doubles when full. */
  constructor(capacity = 16) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.#items = new Array<T | undefined>(size);
  }

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

  #grow(): void {
    const grown = new Array<T | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) grown[i] = this.#items[(this.#head + i) & (this.#items.length - 1)];
    this.#items = grown;
    this.#head = 0;
  }
}
