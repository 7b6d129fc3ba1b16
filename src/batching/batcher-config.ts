import type { ResolvedModelConfig } from '../repository/derive-config.js';
import type { DynamicBatchingConfig } from '../repository/model-config.js';
import { resolveQueuePolicies, type QueuePolicies } from './queue-policy.js';

/** A model's batching rules in the batcher's units, validated and frozen once per model version. */
export interface BatcherConfig {
  /** Rows one execution may carry (`max_batch_size`). */
  readonly maxRows: number;
  /** Requests one execution may carry: 1 for models that do not batch dynamically. */
  readonly maxRequests: number;
  /** `preferred_batch_size` values, in rows. */
  readonly preferredRows: ReadonlySet<number>;
  /** The largest preferred size, or `maxRows` without preferences: a batch this big cannot grow. */
  readonly maxPreferredRows: number;
  /** `max_queue_delay_microseconds` in ns; 0n sends whatever is queued as soon as an instance is free. */
  readonly delayNs: bigint;
  readonly preserveOrdering: boolean;
  readonly policies: QueuePolicies;
}

/**
 * What the schema makes of an empty `dynamic_batching {}` (batching may not import repository
 * values, DESIGN §2; a unit test checks this equals `dynamicBatchingSchema.parse({})`).
 */
export const EMPTY_DYNAMIC_BATCHING: DynamicBatchingConfig = Object.freeze({
  preferred_batch_size: [],
  max_queue_delay_microseconds: 0,
  preserve_ordering: false,
  priority_levels: 0,
  default_priority_level: 0,
  default_queue_policy: Object.freeze({
    timeout_action: 'REJECT' as const,
    default_timeout_microseconds: 0,
    allow_timeout_override: false,
    max_queue_size: 0,
  }),
  priority_queue_policy: {},
});

/**
 * Models with `dynamic_batching` batch by rows (reference/v2-protocol.md §6). Every other model —
 * no `dynamic_batching`, or `max_batch_size` 0 — still goes through the same queue, so queue
 * limits, deadlines and cancellation hold, but one request per execution in arrival order (what
 * Triton's default scheduler does).
 */
export function compileBatcherConfig(config: ResolvedModelConfig): BatcherConfig {
  const batching = config.dynamicBatching;
  if (batching === undefined || config.maxBatchSize <= 0) {
    return Object.freeze({
      maxRows: Math.max(1, config.maxBatchSize),
      maxRequests: 1,
      preferredRows: new Set<number>(),
      maxPreferredRows: Math.max(1, config.maxBatchSize),
      delayNs: 0n,
      preserveOrdering: false,
      policies: resolveQueuePolicies(EMPTY_DYNAMIC_BATCHING),
    });
  }
  const preferredRows = new Set(batching.preferred_batch_size);
  return Object.freeze({
    maxRows: config.maxBatchSize,
    maxRequests: Number.POSITIVE_INFINITY,
    preferredRows,
    maxPreferredRows: preferredRows.size > 0 ? Math.max(...preferredRows) : config.maxBatchSize,
    delayNs: BigInt(batching.max_queue_delay_microseconds) * 1000n,
    preserveOrdering: batching.preserve_ordering,
    policies: resolveQueuePolicies(batching),
  });
}
