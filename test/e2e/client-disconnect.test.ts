import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { addSlowModel, slowBody } from '../helpers/slow-model.js';
import { startServerProcess } from '../helpers/server-process.js';
import { createTempRepo } from '../helpers/temp-repo.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a client that disconnects while its request is queued: the request is dropped, never run, and counted as failed', async () => {
  const repo = createTempRepo();
  addSlowModel(repo); // one instance, ≥ 200 ms per pass, requests one by one through the queue
  const server = await startServerProcess(['--model-repository', repo.dir]);
  try {
    const url = `${server.url}/v2/models/slow/infer`;
    // Two ≥ 200 ms requests ahead of it: whichever runs first, the next one still holds the only
    // instance long after the third request's client has gone.
    const ahead = [fetch(url, { method: 'POST', body: slowBody(1, 'first') }), fetch(url, { method: 'POST', body: slowBody(1, 'second') })];
    await sleep(50);
    // The third waits in the queue behind them; its client then closes the connection.
    const body = slowBody(1, 'gone');
    const gone = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const goneError = new Promise((resolve) => gone.on('error', resolve));
    gone.end(body);
    await sleep(60);
    gone.destroy();
    await goneError;
    assert.deepEqual((await Promise.all(ahead)).map((r) => r.status), [200, 200]);
    const after = await fetch(url, { method: 'POST', body: slowBody(1, 'after') });
    assert.equal(after.status, 200);
    const stats = (await (await fetch(`${server.url}/v2/models/slow/stats`)).json()) as {
      model_stats: { execution_count: number; inference_stats: { success: { count: number }; fail: { count: number } } }[];
    };
    const [slow] = stats.model_stats;
    assert.ok(slow);
    assert.equal(slow.execution_count, 3, 'the disconnected request never ran');
    assert.equal(slow.inference_stats.success.count, 3);
    assert.equal(slow.inference_stats.fail.count, 1, 'the disconnected request is a failure (canceled)');
  } finally {
    server.child.kill('SIGKILL');
    repo.remove();
  }
});
