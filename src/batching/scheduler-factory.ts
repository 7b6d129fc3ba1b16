import { createPassThroughScheduler } from './pass-through-scheduler.js';
import type { SchedulerFactory } from './scheduler.js';

/** The scheduler each model version gets. */
export function createSchedulerFactory(): SchedulerFactory {
  return (target) => createPassThroughScheduler(target);
}
