import type { Clock, ClockTimer } from '../../../src/batching/clock.js';

interface Timer {
  readonly atNs: bigint;
  readonly fn: () => void;
}

/** A manual clock: time moves only when the test advances it, and due timers fire in order. */
export class FakeClock implements Clock {
  #nowNs = 0n;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  now(): bigint {
    return this.#nowNs;
  }

  setTimer(fn: () => void, ms: number): ClockTimer {
    const id = this.#nextId++;
    this.#timers.set(id, { atNs: this.#nowNs + BigInt(Math.round(ms * 1e6)), fn });
    return id;
  }

  clearTimer(timer: ClockTimer): void {
    this.#timers.delete(timer as number);
  }

  /** Timers armed and not yet fired. */
  get armedTimers(): number {
    return this.#timers.size;
  }

  /** When the earliest armed timer fires, or undefined. */
  get nextTimerNs(): bigint | undefined {
    let next: bigint | undefined;
    for (const t of this.#timers.values()) if (next === undefined || t.atNs < next) next = t.atNs;
    return next;
  }

  advanceUs(us: number): void {
    this.advanceNs(BigInt(us) * 1000n);
  }

  /** Moves time forward; each due timer fires with the clock at its own time. */
  advanceNs(ns: bigint): void {
    const targetNs = this.#nowNs + ns;
    for (;;) {
      let dueId: number | undefined;
      let due: Timer | undefined;
      for (const [id, t] of this.#timers) {
        if (t.atNs <= targetNs && (due === undefined || t.atNs < due.atNs)) {
          dueId = id;
          due = t;
        }
      }
      if (due === undefined || dueId === undefined) break;
      this.#timers.delete(dueId);
      if (due.atNs > this.#nowNs) this.#nowNs = due.atNs;
      due.fn();
    }
    this.#nowNs = targetNs;
  }
}
