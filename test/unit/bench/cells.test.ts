import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize, type Cell, type CellRound } from '../../bench/cells.js';

const wrk = (reqPerS: number, p50Ms: number): CellRound['wrk'] => ({
  requests: reqPerS * 5,
  durationS: 5,
  reqPerS,
  errors: 0,
  p50Ms,
  p99Ms: p50Ms * 2,
  meanMs: p50Ms,
});

function cell(rounds: CellRound[]): Cell {
  return { section: 'mlp', variant: 'ls-batch', encoding: 'binary', concurrency: 1, rowsPerRequest: 1, rounds };
}

describe('bench cell summary', () => {
  it('pools the server-side times of all rounds into means per request', () => {
    const s = summarize(
      cell([
        { wrk: wrk(200, 4.1), cpuCores: 1, wrkCores: 0, otherCores: 0, server: { requests: 1000, inServerNs: 4.0e9, inferNs: 3.5e9 } },
        { wrk: wrk(250, 3.9), cpuCores: 1, wrkCores: 0, otherCores: 0, server: { requests: 3000, inServerNs: 11.6e9, inferNs: 9.9e9 } },
      ]),
    );
    // (4.0 + 11.6) s over 4000 requests; (3.5 + 9.9) s over 4000 requests.
    assert.equal(s.inServerMs, 3.9);
    assert.equal(s.onnxruntimeMs, 3.35);
    assert.equal(s.reqPerS, 225);
  });

  it('leaves them out when the server does not report them', () => {
    const s = summarize(cell([{ wrk: wrk(200, 4.1), cpuCores: 1, wrkCores: 0, otherCores: 0, batch: { rows: 10, executions: 5 } }]));
    assert.equal(s.inServerMs, undefined);
    assert.equal(s.onnxruntimeMs, undefined);
    assert.equal(s.avgBatch, 2);
  });
});
