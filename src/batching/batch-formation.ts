import { sameNonBatchDims } from './batch-assembly.js';
import type { BatcherConfig } from './batcher-config.js';
import type { LevelQueue, QueuedRequest, QueuedState } from './queued-request.js';
import type { RingQueue } from '../util/ring-queue.js';

/** Send these requests now as one execution, or look again at `waitUntilNs`. */
export type BatchDecision = { readonly send: readonly QueuedRequest[] } | { readonly waitUntilNs: bigint };

/**
 * Collects the next batch in queue order, following CORE `dynamic_batch_scheduler.cc::
 * GetDynamicBatch` (reference/v2-protocol.md §6.2 "Batch formation").
 */
class BatchWalk {
  readonly members: QueuedRequest[] = [];
  rows = 0;
  /** Members in the largest prefix worth sending early (a preferred size); 0 = none. */
  preferredCut = 0;
  /** The next request could not join: it does not fit, its shapes differ, or the request limit is reached. */
  full = false;
  oldestNs = 0n;
  readonly #config: BatcherConfig;

  constructor(config: BatcherConfig) {
    this.#config = config;
  }

  /** Adds `entry` if it may join; false stops the walk. */
  offer(entry: QueuedRequest): boolean {
    const first = this.members[0];
    if (first !== undefined) {
      if (this.members.length >= this.#config.maxRequests) return this.#stop();
      const rows = this.rows + entry.rows;
      // Past the largest preferred size: remember the batch so far as the one to send (Triton
      // marks the cursor here) but keep walking, in case the delay is already exceeded.
      if (this.#config.preferredRows.size > 0 && rows > this.#config.maxPreferredRows && this.preferredCut === 0) {
        this.preferredCut = this.members.length;
      }
      if (rows > this.#config.maxRows) return this.#stop();
      // §6.2: only requests whose non-batch dims agree share a batch; a request that differs
      // ends this batch and starts the next one, so it never blocks the queue.
      if (!sameNonBatchDims(first.request.inputs, entry.request.inputs)) return this.#stop();
    }
    this.members.push(entry);
    this.rows += entry.rows;
    if (first === undefined || entry.enqueuedNs < this.oldestNs) this.oldestNs = entry.enqueuedNs;
    if (this.#config.preferredRows.has(this.rows)) this.preferredCut = this.members.length;
    return true;
  }

  /** No later request can join: the batch reached a size it cannot grow beyond. */
  saturated(): boolean {
    const config = this.#config;
    return this.full || this.members.length >= config.maxRequests || this.rows >= Math.min(config.maxPreferredRows, config.maxRows);
  }

  #stop(): false {
    this.full = true;
    return false;
  }
}

function walkRing(ring: RingQueue<QueuedRequest>, state: QueuedState, visit: (entry: QueuedRequest) => boolean): boolean {
  for (let i = 0; i < ring.size; i++) {
    const entry = ring.at(i) as QueuedRequest;
    if (entry.state === state && !visit(entry)) return false;
  }
  return true;
}

/** Visits waiting requests by priority level, each level's unexpired ones before its delayed ones. */
function walkQueues(levels: readonly LevelQueue[], visit: (entry: QueuedRequest) => boolean): void {
  for (const level of levels) {
    if (level.waiting === 0) continue;
    if (!walkRing(level.main, 'queued', visit)) return;
    if (!walkRing(level.delayed, 'delayed', visit)) return;
  }
}

/**
 * Decide what an idle instance should run (§6.2 "Deciding what to send"):
 * 1. a preferred size was found and the oldest member has not waited out the delay → that prefix;
 * 2. the batch cannot grow (next request does not fit or differs, or it reached the largest
 *    preferred size / `max_batch_size`) → all of it;
 * 3. no delay is configured, the oldest member waited ≥ the delay, or `flush` (draining) → all of it;
 * 4. otherwise wait until the oldest member's delay runs out (a new arrival re-decides sooner).
 * Returns undefined when nothing waits.
 */
export function decideBatch(
  levels: readonly LevelQueue[],
  config: BatcherConfig,
  nowNs: bigint,
  flush: boolean,
): BatchDecision | undefined {
  const walk = new BatchWalk(config);
  walkQueues(levels, (entry) => walk.offer(entry));
  const members = walk.members;
  if (members.length === 0) return undefined;
  const delayExceeded = flush || (config.delayNs > 0n && nowNs - walk.oldestNs >= config.delayNs);
  if (walk.preferredCut > 0 && !delayExceeded) {
    return { send: walk.preferredCut === members.length ? members : members.slice(0, walk.preferredCut) };
  }
  if (walk.saturated() || delayExceeded || config.delayNs === 0n) return { send: members };
  return { waitUntilNs: walk.oldestNs + config.delayNs };
}
