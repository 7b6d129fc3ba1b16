import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Services } from '../../src/compose.js';
import { composeLoaded } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the metrics endpoint', () => {
  let repo: TempRepo;
  let services: Services;
  before(async () => {
    repo = createTempRepo();
    repo.copyShipped('digits-cnn');
    services = await composeLoaded([], repo.dir);
  });
  after(async () => {
    await services.shutdown();
    repo.remove();
  });
  const scrape = async () => {
    const res = await services.metricsApp!.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    return res.body;
  };

  test('pre-creates every failure reason at 0 and reports the model ready with its provider', async () => {
    const text = await scrape();
    for (const reason of ['rejected', 'canceled', 'backend', 'invalid', 'other']) {
      assert.equal(sample(text, `layerscope_request_failure_total{model="digits-cnn",version="1",reason="${reason}"}`), 0, reason);
    }
    assert.equal(sample(text, 'layerscope_model_ready{model="digits-cnn",version="1"}'), 1);
    assert.equal(sample(text, 'layerscope_execution_provider_info{model="digits-cnn",version="1",provider="cpu"}'), 1);
    assert.ok((sample(text, 'layerscope_model_load_duration_seconds{model="digits-cnn",version="1"}') ?? 0) > 0);
    assert.match(text, /process_resident_memory_bytes \d+/);
    assert.match(text, /nodejs_eventloop_lag_seconds /);
    assert.match(text, /nodejs_heap_size_used_bytes /);
  });

  test('counts requests (1 each), rows, executions, durations and failures by reason', async () => {
    const golden = readGolden('digits-cnn').inputText;
    for (let i = 0; i < 2; i++) {
      assert.equal((await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: golden })).statusCode, 200);
    }
    const bad = await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: '{"inputs":[{"name":"input","datatype":"INT32","shape":[1,1,8,8],"data":[]}]}' });
    assert.equal(bad.statusCode, 400);
    const text = await scrape();
    const mv = '{model="digits-cnn",version="1"}';
    assert.equal(sample(text, `layerscope_request_success_total${mv}`), 2);
    assert.equal(sample(text, `layerscope_inference_count_total${mv}`), 8);
    assert.equal(sample(text, `layerscope_execution_count_total${mv}`), 2);
    assert.equal(sample(text, `layerscope_request_duration_seconds_count${mv}`), 2);
    assert.equal(sample(text, `layerscope_queue_duration_seconds_count${mv}`), 2);
    assert.equal(sample(text, 'layerscope_compute_duration_seconds_count{model="digits-cnn",version="1",phase="infer"}'), 2);
    assert.equal(sample(text, 'layerscope_batch_size_bucket{le="4",model="digits-cnn",version="1"}'), 2);
    assert.equal(sample(text, 'layerscope_request_failure_total{model="digits-cnn",version="1",reason="invalid"}'), 1);
    assert.equal(sample(text, `layerscope_pending_requests${mv}`), 0);
  });

  test('answers 405 for other methods and 404 for other paths, and allows a trailing slash', async () => {
    assert.equal((await services.metricsApp!.inject({ method: 'POST', url: '/metrics' })).statusCode, 405);
    assert.equal((await services.metricsApp!.inject({ method: 'GET', url: '/other' })).statusCode, 404);
    assert.equal((await services.metricsApp!.inject({ method: 'GET', url: '/metrics/' })).statusCode, 200);
  });
});

test('with metrics disabled there is no metrics listener', async () => {
  const repo = createTempRepo();
  repo.copyShipped('digits-cnn');
  const services = await composeLoaded(['--no-metrics'], repo.dir);
  try {
    assert.equal(services.metricsApp, undefined);
    assert.equal((await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: readGolden('digits-cnn').inputText })).statusCode, 200);
  } finally {
    await services.shutdown();
    repo.remove();
  }
});
