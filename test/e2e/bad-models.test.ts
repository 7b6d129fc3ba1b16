import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGolden } from '../helpers/golden.js';
import { MODELS_DIR } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

describe('a repository with a corrupt model and a config with an unknown field', () => {
  let repo: TempRepo;
  let server: ServerProcess;
  before(async () => {
    repo = createTempRepo();
    repo.copyShipped('digits-cnn');
    repo.write('corrupt/1/model.onnx', new Uint8Array(512).map((_, i) => (i * 37) % 251));
    repo.write('bad-config/1/model.onnx', readFileSync(join(MODELS_DIR, 'digits-cnn', '1', 'model.onnx')));
    repo.write('bad-config/config.json', JSON.stringify({ max_batch_size: 8, max_batch_sise: 4 }));
    server = await startServerProcess(['--model-repository', repo.dir]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    repo.remove();
  });

  test('the server starts, is ready, and the healthy model serves', async () => {
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
    const res = await fetch(`${server.url}/v2/models/digits-cnn/infer`, { method: 'POST', body: readGolden('digits-cnn').inputText });
    assert.equal(res.status, 200);
  });

  test('the corrupt model is UNAVAILABLE: ready answers 400 and the log names the reason', async () => {
    assert.equal((await fetch(`${server.url}/v2/models/corrupt/ready`)).status, 400);
    const line = server.logs.find((l) => l.msg === 'model unavailable' && l['model'] === 'corrupt');
    assert.ok(line, 'an error log line for the corrupt model');
    assert.equal(line.level, 'error');
    assert.match(String(line['reason']), /failed to load model 'corrupt'.*(protobuf|parse|load)/i);
    const meta = await fetch(`${server.url}/v2/models/corrupt`);
    assert.equal(meta.status, 503);
    assert.match(((await meta.json()) as { error: string }).error, /corrupt/);
  });

  test('the model whose config.json has an unknown field is UNAVAILABLE with the field named', async () => {
    assert.equal((await fetch(`${server.url}/v2/models/bad-config/ready`)).status, 400);
    const line = server.logs.find((l) => l.msg === 'model unavailable' && l['model'] === 'bad-config');
    assert.ok(line, 'an error log line for the bad config');
    assert.match(String(line['reason']), /max_batch_sise/);
    const res = await fetch(`${server.url}/v2/models/bad-config/infer`, { method: 'POST', body: readGolden('digits-cnn').inputText });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.match(((await res.json()) as { error: string }).error, /max_batch_sise/);
  });

  test('an unknown model is 404 on ready, metadata and infer', async () => {
    assert.equal((await fetch(`${server.url}/v2/models/nope/ready`)).status, 404);
    const res = await fetch(`${server.url}/v2/models/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "Request for unknown model: 'nope' is not found", code: 'LS_ERR_MODEL_NOT_FOUND' });
  });
});
