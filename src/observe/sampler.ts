/**
 * Decides which batches an observer samples: a share of batches (`rate`), never more than
 * `maxPerSecond` (a token bucket refilled continuously, burst 1). Off the response path by
 * construction: callers only copy and enqueue what this lets through.
 */
export interface Sampler {
  /** True if the batch seen now should be observed; consumes a token when it says yes. */
  shouldSample(): boolean;
}

export interface SamplerOptions {
  /** Share of batches considered, 0..1. */
  readonly rate: number;
  /** Upper bound on sampled batches per second (0 = never). */
  readonly maxPerSecond: number;
  /** Milliseconds clock (tests inject one). */
  readonly now?: () => number;
  /** Uniform [0,1) source (tests inject one). */
  readonly random?: () => number;
}

export function createSampler(options: SamplerOptions): Sampler {
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const { rate, maxPerSecond } = options;
  if (rate <= 0 || maxPerSecond <= 0) return { shouldSample: () => false };
  let tokens = 1;
  let last = now();
  return {
    shouldSample(): boolean {
      const t = now();
      tokens = Math.min(1, tokens + ((t - last) / 1000) * maxPerSecond);
      last = t;
      if (tokens < 1 || random() >= rate) return false;
      tokens -= 1;
      return true;
    },
  };
}
