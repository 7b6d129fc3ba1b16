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
    const first = fetch(url, { method: 'POST', body: slowBody(1, 'first') });
    await sleep(80); // the first request holds the only instance
    // The second waits in the queue behind it; its client then closes the connection.
    const body = slowBody(1, 'gone');
    const gone = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const goneError = new Promise((resolve) => gone.on('error', resolve));
    gone.end(body);
    await sleep(60);
    gone.destroy();
    await goneError;
    assert.equal((await first).status, 200);
    const third = await fetch(url, { method: 'POST', body: slowBody(1, 'third') });
    assert.equal(third.status, 200);
    const stats = (await (await fetch(`${server.url}/v2/models/slow/stats`)).json()) as {
      model_stats: { execution_count: number; inference_stats: { success: { count: number }; fail: { count: number } } }[];
    };
    const [slow] = stats.model_stats;
    assert.ok(slow);
    assert.equal(slow.execution_count, 2, 'the disconnected request never ran');
    assert.equal(slow.inference_stats.success.count, 2);
    assert.equal(slow.inference_stats.fail.count, 1, 'the disconnected request is a failure (canceled)');
  } finally {
    server.child.kill('SIGKILL');
    repo.remove();
  }
});
