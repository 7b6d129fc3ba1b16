import type { CancelSignal } from '../../batching/scheduler.js';

/**
 * Fires when an infer request's client disconnects before its response is written: the batcher
 * then drops the request if it is still queued. One listener slot and no event objects, because
 * every request pays for it (an AbortController with its EventTarget listener measured ≈ 5–10 µs
 * of main-thread time per request under load).
 */
export class ClientGone implements CancelSignal {
  #aborted = false;
  #listener: (() => void) | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** The batcher registers one listener per request; a second replaces the first. */
  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.#listener === listener) this.#listener = undefined;
  }

  /** The client went away: tell the listener once. */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}
