import type { DynamicBatchingConfig, QueuePolicyConfig } from '../repository/model-config.js';

/**
 * Priority levels and per-level queue policies (reference/v2-protocol.md §6.1 `ModelQueuePolicy`,
 * §6.2 "Timeouts" and "Priority"), resolved once when the batcher is built.
 */

/** One priority level's queue policy, in the units the batcher uses. */
export interface LevelPolicy {
  /** Requests waiting in this level (executing ones excluded) before enqueue is refused; 0 = unbounded. */
  readonly maxQueueSize: number;
  /** `default_timeout_microseconds` in ns; 0n = no timeout. */
  readonly timeoutNs: bigint;
  /** A request's own timeout may lower (never raise) `timeoutNs`. */
  readonly allowOverride: boolean;
  /** `timeout_action: DELAY`: an expired request moves behind the unexpired ones instead of failing. */
  readonly delayOnTimeout: boolean;
}

export interface QueuePolicies {
  /** Index 0 is priority 1 (the highest), or the single queue when `priority_levels` is 0. */
  readonly levels: readonly LevelPolicy[];
  /** Index of the level a request without a valid priority joins. */
  readonly defaultLevel: number;
}

function toLevelPolicy(policy: QueuePolicyConfig): LevelPolicy {
  return Object.freeze({
    maxQueueSize: policy.max_queue_size,
    timeoutNs: BigInt(policy.default_timeout_microseconds) * 1000n,
    allowOverride: policy.allow_timeout_override,
    delayOnTimeout: policy.timeout_action === 'DELAY',
  });
}

/**
 * One policy per level: `priority_queue_policy[level]`, else `default_queue_policy`. Triton refuses
 * a `default_priority_level` outside [1, priority_levels]; the schema does not, so such a value
 * falls back to the lowest priority level — a request that names no priority never jumps ahead.
 */
export function resolveQueuePolicies(batching: DynamicBatchingConfig): QueuePolicies {
  const count = Math.max(1, batching.priority_levels);
  const levels: LevelPolicy[] = [];
  for (let level = 1; level <= count; level++) {
    const own = batching.priority_levels > 0 ? batching.priority_queue_policy[String(level)] : undefined;
    levels.push(toLevelPolicy(own ?? batching.default_queue_policy));
  }
  const wanted = batching.default_priority_level;
  const defaultLevel = wanted >= 1 && wanted <= count ? wanted - 1 : count - 1;
  return Object.freeze({ levels: Object.freeze(levels), defaultLevel });
}

/**
 * The level index a request joins. §6.2 (CORE `infer_request.cc::SetPriority`): priority 0 or
 * above `priority_levels` → `default_priority_level`; otherwise the level itself.
 */
export function levelIndexFor(policies: QueuePolicies, priority: number | undefined): number {
  if (priority === undefined || !Number.isInteger(priority) || priority < 1 || priority > policies.levels.length) {
    return policies.defaultLevel;
  }
  return priority - 1;
}

/**
 * When a request queued at `nowNs` expires, or undefined for never. §6.2: the timeout is the
 * level's default, or the request's own when overriding is allowed, it is non-zero and it is
 * *smaller* than the default — so with a default of 0 (no timeout) no override ever applies.
 */
export function deadlineFor(policy: LevelPolicy, timeoutUs: number | undefined, nowNs: bigint): bigint | undefined {
  if (policy.timeoutNs === 0n) return undefined;
  let timeoutNs = policy.timeoutNs;
  if (policy.allowOverride && timeoutUs !== undefined && Number.isFinite(timeoutUs) && timeoutUs >= 1) {
    const ownNs = BigInt(Math.floor(timeoutUs)) * 1000n;
    if (ownNs < timeoutNs) timeoutNs = ownNs;
  }
  return nowNs + timeoutNs;
}
