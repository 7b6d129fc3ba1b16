/**
 * Time as the batcher sees it. Injected so tests drive the queue delay and deadlines with a
 * manual clock instead of sleeping (DESIGN §7: batcher tests are deterministic).
 */
export interface Clock {
  /** Monotonic time in nanoseconds. */
  now(): bigint;
  /**
   * Calls `fn` once after about `ms` milliseconds (may be fractional or 0). A timer may fire a
   * little early or late: the batcher reads `now()` again when it fires and re-arms if needed.
   */
  setTimer(fn: () => void, ms: number): ClockTimer;
  clearTimer(timer: ClockTimer): void;
  /**
   * Runs `fn` once the current event-loop turn is done (requests that arrive together join one
   * batch). Absent → `fn` runs at once (deterministic tests).
   */
  defer?(fn: () => void): void;
}

/** Opaque handle returned by `Clock.setTimer`. */
export type ClockTimer = unknown;

interface RealTimer {
  readonly timeout?: NodeJS.Timeout;
  readonly immediate?: NodeJS.Immediate;
}

/**
 * Real time: `process.hrtime.bigint()` and Node timers. Waits under a millisecond (common queue
 * delays are 100–500 µs) run on `setImmediate`, so they are re-checked every event-loop turn
 * instead of being rounded up to setTimeout's 1 ms; longer ones sleep on `setTimeout` for the
 * whole milliseconds and finish the same way.
 */
export const realClock: Clock = Object.freeze({
  now: () => process.hrtime.bigint(),
  setTimer(fn: () => void, ms: number): ClockTimer {
    const timer: RealTimer = ms < 1 ? { immediate: setImmediate(fn) } : { timeout: setTimeout(fn, Math.floor(ms)) };
    return timer;
  },
  clearTimer(timer: ClockTimer): void {
    const { timeout, immediate } = timer as RealTimer;
    if (timeout !== undefined) clearTimeout(timeout);
    if (immediate !== undefined) clearImmediate(immediate);
  },
  defer(fn: () => void): void {
    setImmediate(fn);
  },
});
