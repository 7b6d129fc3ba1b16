import type { ServingError } from '../errors/serving-error.js';
import { RingQueue } from '../util/ring-queue.js';
import type { ScheduledResult } from './scheduler.js';

/** A request's outcome: its result or the error it failed with. */
export type Outcome = { readonly ok: true; readonly result: ScheduledResult } | { readonly ok: false; readonly error: ServingError };

/** The promise callbacks of one `enqueue()`. */
export interface Settle {
  resolve(result: ScheduledResult): void;
  reject(error: ServingError): void;
}

/** Where one accepted request's response goes. Each is used once. */
export interface Ticket {
  /** The request ran: deliver its outcome (under `preserve_ordering`, after earlier requests'). */
  deliver(outcome: Outcome): void;
  /**
   * The request never ran (canceled, timed out in the queue): answer now. It still counts as
   * settled, so later requests are not held back by it.
   */
  reject(error: ServingError): void;
}

/** Hands out tickets in arrival order. */
export interface ResponseGate {
  admit(settle: Settle): Ticket;
}

function send(settle: Settle, outcome: Outcome): void {
  if (outcome.ok) settle.resolve(outcome.result);
  else settle.reject(outcome.error);
}

/** Responses leave as soon as they are known. */
const immediateGate: ResponseGate = Object.freeze({
  admit: (settle: Settle): Ticket => ({ deliver: (outcome) => send(settle, outcome), reject: (error) => settle.reject(error) }),
});

interface Waiting {
  readonly settle: Settle;
  outcome: Outcome | undefined;
  sent: boolean;
}

/**
 * `preserve_ordering` (§6.1): responses leave in arrival order — a result waits until every
 * earlier request has settled. Batches on different instances finish in any order, so results
 * park here and the front of the line is flushed whenever it settles.
 */
class OrderedGate implements ResponseGate {
  readonly #line = new RingQueue<Waiting>();

  admit(settle: Settle): Ticket {
    const waiting: Waiting = { settle, outcome: undefined, sent: false };
    this.#line.push(waiting);
    return {
      deliver: (outcome) => {
        waiting.outcome = outcome;
        this.#flush();
      },
      reject: (error) => {
        waiting.sent = true;
        waiting.outcome = { ok: false, error };
        settle.reject(error);
        this.#flush();
      },
    };
  }

  #flush(): void {
    for (let head = this.#line.peek(); head?.outcome !== undefined; head = this.#line.peek()) {
      this.#line.shift();
      if (!head.sent) send(head.settle, head.outcome);
    }
  }
}

/** The gate is chosen once per model version, not checked per response. */
export function createResponseGate(preserveOrdering: boolean): ResponseGate {
  return preserveOrdering ? new OrderedGate() : immediateGate;
}
