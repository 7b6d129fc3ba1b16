import { availableParallelism } from 'node:os';

/** Default instance and intra-op thread counts for one model. */
export interface Threading {
  /** Workers, each with its own session. */
  readonly instanceCount: number;
  /** intra-op threads per session. */
  readonly intraOpThreads: number;
}

/** Beyond this many intra-op threads per session we add instances instead. */
const MAX_INTRA_OP_THREADS = 4;

/**
 * A model file at least this large is "large": its instances default to one per 4 cores (at least
 * one), each with up to MAX_INTRA_OP_THREADS threads, instead of one instance per core.
 */
export const LARGE_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * Default threading from the core count (config overrides it). Why, per measurements.md §1 (2 cores):
 * two workers × 1 intra-op thread gave 1.75–1.9× one worker and beat one worker × 2 threads, and
 * onnxruntime's default pools (a spinning thread per core in *every* session) fought each other and
 * the event loop (two default sessions: 3.85× slower). So: one instance per core up to 2, then split
 * the cores between instances with at most MAX_INTRA_OP_THREADS threads each, so instances × threads
 * never exceeds the cores. The cost: every model starts `instanceCount` workers; with a few models
 * on 2 cores that is a few idle threads each, cheap next to a stalled event loop. Only the 2-core
 * figures were measured; larger machines follow the same rule untested.
 *
 * cores → instances × threads: 1 → 1×1, 2 → 2×1, 4 → 2×2, 8 → 2×4, 16 → 4×4, 32 → 8×4.
 *
 * Large models (files ≥ LARGE_MODEL_BYTES, weights that do not fit any cache) get fewer instances
 * with more threads: 2 → 1×2, 4 → 1×4, 8 → 2×4, 16 → 4×4. Every instance holds its own copy of
 * the weights, and under load one instance forms batches twice as large as each of two; measured
 * on 2 cores with a 100 MB MLP 1024-4096-4096-1024 at c=64 (binary): 1×2 served 1625–1716 rows/s
 * at batch 32 against 1323–1484 rows/s at batch 18 for 2×1, with a lower p50 (35–39 vs 43–49 ms).
 */
export function defaultThreading(cores: number = availableParallelism(), modelBytes = 0): Threading {
  const usable = Math.max(1, Math.floor(cores));
  if (modelBytes >= LARGE_MODEL_BYTES) {
    const instanceCount = Math.max(1, Math.floor(usable / MAX_INTRA_OP_THREADS));
    return { instanceCount, intraOpThreads: Math.max(1, Math.min(MAX_INTRA_OP_THREADS, Math.floor(usable / instanceCount))) };
  }
  if (usable <= 2) return { instanceCount: usable, intraOpThreads: 1 };
  const instanceCount = Math.max(2, Math.ceil(usable / MAX_INTRA_OP_THREADS));
  return { instanceCount, intraOpThreads: Math.max(1, Math.floor(usable / instanceCount)) };
}
