import type { HeapItem } from './deadline-heap.js';
import type { Ticket } from './response-order.js';
import type { RingQueue } from '../util/ring-queue.js';
import type { ScheduledRequest } from './scheduler.js';

/**
 * Where a queued request is: waiting in its level's main queue, waiting in the level's delayed
 * queue (its deadline passed under `timeout_action: DELAY`), or gone (dispatched, canceled,
 * rejected). Queues delete lazily: a gone request stays in its ring until it reaches the front.
 */
export type QueuedState = 'queued' | 'delayed' | 'gone';

/** A request accepted by the batcher and not yet handed to an instance. */
export interface QueuedRequest extends HeapItem {
  readonly request: ScheduledRequest;
  /** Rows it adds to a batch: `max(1, its batch dim)` (§6.2). */
  readonly rows: number;
  /** Index into the level queues (0 = priority 1). */
  readonly level: number;
  readonly enqueuedNs: bigint;
  /** Meaningful only while the request is in the deadline heap. */
  readonly deadlineNs: bigint;
  state: QueuedState;
  /** Where its response goes (in arrival order under `preserve_ordering`). */
  readonly ticket: Ticket;
  /** Detaches the abort listener; set while the request has a signal. */
  detach: (() => void) | undefined;
}

/** One priority level: unexpired requests first, then those moved by DELAY (§6.2 "Timeouts"). */
export interface LevelQueue {
  readonly main: RingQueue<QueuedRequest>;
  readonly delayed: RingQueue<QueuedRequest>;
  /** Requests in this level that are not gone (the count `max_queue_size` bounds). */
  waiting: number;
}
