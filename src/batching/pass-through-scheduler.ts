import { ServingError } from '../errors/serving-error.js';
import type { Scheduler, ScheduledRequest, ScheduledResult, SchedulerTarget } from './scheduler.js';

/**
 * Runs each request as its own execution, in arrival order (the runner queues FIFO when every
 * instance is busy). Used for models without dynamic batching.
 */
export function createPassThroughScheduler(target: SchedulerTarget): Scheduler {
  const outputNames = target.config.outputs.map((o) => o.name);
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  return {
    async enqueue(request: ScheduledRequest): Promise<ScheduledResult> {
      if (draining) throw new ServingError('LS_ERR_SHUTTING_DOWN');
      inFlight++;
      try {
        const result = await target.runner.run({ inputs: request.inputs, outputNames });
        // The runner's own FIFO is the only queue here; its wait is not measured separately.
        return { outputs: result.outputs, queueNs: 0, timings: result.timings, batchRows: request.rows, instance: result.instance };
      } finally {
        inFlight--;
        if (inFlight === 0) drained?.();
      }
    },
    pending: () => Math.max(0, inFlight - (target.runner.instanceCount - target.runner.idleInstances())),
    async drain(): Promise<void> {
      draining = true;
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => (drained = resolve));
    },
  };
}
