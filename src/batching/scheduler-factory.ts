import { createDynamicBatcher } from './dynamic-batcher.js';
import type { SchedulerFactory } from './scheduler.js';

/**
 * The scheduler each model version gets: the dynamic batcher for every model. Models without
 * `dynamic_batching` go through the same queue one request per execution, so queue limits,
 * deadlines and client cancellation hold for them too.
 */
export function createSchedulerFactory(): SchedulerFactory {
  return (target) => createDynamicBatcher(target);
}
