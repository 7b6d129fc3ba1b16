import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSlowModel, slowBody } from '../helpers/slow-model.js';
import { startServerProcess } from '../helpers/server-process.js';
import { createTempRepo } from '../helpers/temp-repo.js';

test('SIGTERM under load: every request accepted before the signal gets its 200 and the process exits 0', async () => {
  const repo = createTempRepo();
  addSlowModel(repo);
  const server = await startServerProcess(['--model-repository', repo.dir, '--grace-period-ms', '30000']);
  try {
    // Six ~0.5 s passes on one instance: most of them are still queued when the signal lands.
    const accepted = Array.from({ length: 6 }, (_, i) =>
      fetch(`${server.url}/v2/models/slow/infer`, { method: 'POST', body: slowBody(1, `r${i}`) }),
    );
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const ready = await fetch(`${server.url}/v2/health/ready`).catch(() => undefined);
    if (ready) assert.equal(ready.status, 400, 'readiness is false while draining');
    const late = await fetch(`${server.url}/v2/models/slow/infer`, { method: 'POST', body: slowBody(1, 'late') }).catch(() => undefined);
    if (late) assert.equal(late.status, 503, 'a request arriving after SIGTERM is refused');
    const responses = await Promise.all(accepted);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id));
    assert.deepEqual(ids.sort(), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    assert.equal(await server.exited, 0);
    assert.ok(server.logs.some((l) => l.msg === 'shutdown complete'));
  } finally {
    server.child.kill('SIGKILL');
    repo.remove();
  }
});
