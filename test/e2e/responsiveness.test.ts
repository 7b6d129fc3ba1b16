import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { addSlowModel, slowBody } from '../helpers/slow-model.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

describe('the event loop while a long forward pass runs', () => {
  let repo: TempRepo;
  let server: ServerProcess;
  before(async () => {
    repo = createTempRepo();
    addSlowModel(repo);
    server = await startServerProcess(['--model-repository', repo.dir]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    repo.remove();
  });

  test('GET /v2/health/live answers in under 20 ms (p90) while a ≥ 200 ms inference is running', async () => {
    const live = `${server.url}/v2/health/live`;
    await fetch(live); // open a keep-alive connection first
    const started = performance.now();
    let finished = 0;
    const infer = fetch(`${server.url}/v2/models/slow/infer`, { method: 'POST', body: slowBody() }).then(async (res) => {
      finished = performance.now();
      return res;
    });
    await new Promise((r) => setTimeout(r, 30)); // the forward pass is under way
    const latencies: number[] = [];
    while (finished === 0 && latencies.length < 50) {
      const t0 = performance.now();
      const res = await fetch(live);
      latencies.push(performance.now() - t0);
      assert.equal(res.status, 200);
      await new Promise((r) => setTimeout(r, 10));
    }
    const res = await infer;
    assert.equal(res.status, 200);
    const inferMs = finished - started;
    assert.ok(inferMs >= 200, `the forward pass took ${inferMs.toFixed(0)} ms, expected ≥ 200 ms`);
    assert.ok(latencies.length >= 3, `probed ${latencies.length} times during the pass`);
    // A blocked event loop would hold a probe for the rest of the ≥ 200 ms pass; on a shared
    // 2-core machine one probe can still lose the CPU for a few tens of ms to another process,
    // so the bound is on the 90th percentile, and the slowest probe must stay far below the pass.
    const sorted = [...latencies].sort((a, b) => a - b);
    const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!;
    const worst = sorted[sorted.length - 1]!;
    const seen = latencies.map((l) => l.toFixed(1)).join(', ');
    assert.ok(p90 < 20, `p90 live probe ${p90.toFixed(1)} ms during a ${inferMs.toFixed(0)} ms pass: ${seen}`);
    assert.ok(worst < Math.min(100, inferMs / 2), `slowest live probe ${worst.toFixed(1)} ms during a ${inferMs.toFixed(0)} ms pass: ${seen}`);
  });
});
