import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import type { Services } from '../../src/compose.js';
import { composeLoaded } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

interface Stats {
  model_stats: {
    name: string;
    version: string;
    inference_count: number;
    execution_count: number;
    inference_stats: Record<string, { count: number; ns: number }>;
    batch_stats: { batch_size: number; compute_infer: { count: number } }[];
  }[];
}

describe('Triton extensions', () => {
  let repo: TempRepo;
  let services: Services;
  before(async () => {
    repo = createTempRepo();
    repo.copyShipped('digits-cnn');
    repo.copyShipped('breast-cancer-mlp');
    services = await composeLoaded([], repo.dir);
  });
  after(async () => {
    await services.shutdown();
    repo.remove();
  });
  const get = (url: string) => services.app.inject({ method: 'GET', url });
  const post = (url: string, payload = '', headers: Record<string, string> = {}) => services.app.inject({ method: 'POST', url, payload, headers });

  test('GET /v2 lists exactly the implemented extensions', async () => {
    const body = (await get('/v2')).json<{ name: string; version: string; extensions: string[] }>();
    assert.equal(body.name, 'layerscope');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(body.extensions, ['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'schedule_policy', 'parameters', 'statistics']);
  });

  test('GET .../config returns Triton ModelConfig JSON: snake_case, enums by name, ints as numbers', async () => {
    const res = await get('/v2/models/digits-cnn/config');
    assert.equal(res.statusCode, 200);
    const config = res.json<Record<string, unknown>>();
    assert.equal(config['name'], 'digits-cnn');
    assert.equal(config['platform'], 'onnxruntime_onnx');
    assert.equal(config['max_batch_size'], 64);
    assert.deepEqual(config['input'], [
      { name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [1, 8, 8], is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false },
    ]);
    const batching = config['dynamic_batching'] as Record<string, unknown>;
    assert.equal(batching['max_queue_delay_microseconds'], 0);
    assert.equal((batching['default_queue_policy'] as Record<string, unknown>)['timeout_action'], 'REJECT');
    const group = (config['instance_group'] as Record<string, unknown>[])[0]!;
    assert.equal(group['kind'], 'KIND_CPU');
    assert.equal(typeof group['count'], 'number');
    assert.deepEqual((await get('/v2/models/digits-cnn/versions/1/config')).json(), config);
  });

  test('statistics count successes, rows, executions, queue and batch sizes per model version', async () => {
    const golden = readGolden('digits-cnn');
    for (let i = 0; i < 3; i++) assert.equal((await post('/v2/models/digits-cnn/infer', golden.inputText)).statusCode, 200);
    const res = await get('/v2/models/digits-cnn/stats');
    assert.equal(res.statusCode, 200);
    const [entry] = res.json<Stats>().model_stats;
    assert.ok(entry);
    assert.equal(entry.name, 'digits-cnn');
    assert.equal(entry.version, '1');
    assert.equal(entry.inference_stats['success']!.count, 3);
    assert.equal(entry.inference_stats['queue']!.count, 3, 'queue.count equals the success count');
    assert.equal(entry.inference_count, 12, 'rows, not requests');
    assert.equal(entry.execution_count, 3);
    for (const key of ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output', 'cache_hit', 'cache_miss']) {
      assert.equal(typeof entry.inference_stats[key]!.ns, 'number', key);
    }
    assert.ok(entry.inference_stats['compute_infer']!.ns > 0);
    assert.deepEqual(entry.batch_stats.map((b) => [b.batch_size, b.compute_infer.count]), [[4, 3]]);
    const all = (await get('/v2/models/stats')).json<Stats>();
    assert.deepEqual(all.model_stats.map((s) => s.name).sort(), ['breast-cancer-mlp', 'digits-cnn']);
    assert.equal((await get('/v2/models/digits-cnn/versions/1/stats')).json<Stats>().model_stats[0]!.version, '1');
  });

  test('rejects statistics for an unknown model with 400', async () => {
    const res = await get('/v2/models/nope/stats');
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: string }>().error, /requested model 'nope' is not available/);
  });

  test('the repository index is a JSON array; unload and load flip readiness; empty bodies are accepted', async () => {
    const index = (await post('/v2/repository/index')).json<{ name: string; version: string; state: string }[]>();
    assert.deepEqual(index, [
      { name: 'breast-cancer-mlp', version: '1', state: 'READY' },
      { name: 'digits-cnn', version: '1', state: 'READY' },
    ]);
    assert.equal((await post('/v2/repository/models/breast-cancer-mlp/unload', '{"parameters":{"unload_dependents":false}}')).statusCode, 200);
    assert.equal((await get('/v2/models/breast-cancer-mlp/ready')).statusCode, 400);
    const after = (await post('/v2/repository/index')).json<{ name: string; state: string; reason?: string }[]>();
    assert.deepEqual(after[0], { name: 'breast-cancer-mlp', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
    assert.deepEqual((await post('/v2/repository/index', '{"ready":true}')).json<{ name: string }[]>().map((e) => e.name), ['digits-cnn']);
    assert.equal((await post('/v2/repository/models/breast-cancer-mlp/load')).statusCode, 200);
    assert.equal((await get('/v2/models/breast-cancer-mlp/ready')).statusCode, 200);
  });

  test('rejects loading an unknown model with 404 and a named repository with 501', async () => {
    assert.equal((await post('/v2/repository/models/nope/load', '{}')).statusCode, 404);
    assert.equal((await post('/v2/repository/other/models/digits-cnn/load')).statusCode, 501);
    assert.equal((await post('/v2/repository/index', '{"ready":"yes"}')).statusCode, 400);
  });

  test('classification returns the top-K classes as "value:index" strings', async () => {
    const golden = readGolden('digits-cnn');
    const body = { ...golden.input, outputs: [{ name: 'logits', parameters: { classification: 2 } }] };
    const res = await post('/v2/models/digits-cnn/infer', JSON.stringify(body));
    assert.equal(res.statusCode, 200);
    const out = res.json<{ outputs: { datatype: string; shape: number[]; data: string[] }[] }>().outputs[0]!;
    assert.equal(out.datatype, 'BYTES');
    assert.deepEqual(out.shape, [4, 2]);
    assert.deepEqual(out.data.filter((_, i) => i % 2 === 0).map((s) => s.split(':')[1]), ['2', '0', '4', '9']);
    assert.match(out.data[0]!, /^13\.10\d{4}:2$/);
  });

  test('binary inputs and outputs round trip with Inference-Header-Content-Length', async () => {
    const golden = readGolden('digits-cnn');
    const values = Float32Array.from(golden.input.inputs[0]!.data);
    const header = JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [4, 1, 8, 8], parameters: { binary_data_size: values.byteLength } }],
      outputs: [{ name: 'logits', parameters: { binary_data: true } }],
    });
    const body = Buffer.concat([Buffer.from(header), Buffer.from(values.buffer)]);
    const res = await services.app.inject({
      method: 'POST',
      url: '/v2/models/digits-cnn/infer',
      payload: body,
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    const jsonLength = Number(res.headers['inference-header-content-length']);
    const raw = res.rawPayload;
    const meta = JSON.parse(raw.subarray(0, jsonLength).toString()) as { outputs: { parameters: { binary_data_size: number } }[] };
    assert.equal(meta.outputs[0]!.parameters.binary_data_size, 160);
    const logits = new Float32Array(raw.buffer.slice(raw.byteOffset + jsonLength, raw.byteOffset + jsonLength + 160));
    const expected = golden.output.outputs[0]!.data;
    logits.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-4));
  });

  test('gzip request bodies are inflated and Accept-Encoding compresses the response', async () => {
    const text = readGolden('breast-cancer-mlp').inputText;
    const gz = await services.app.inject({
      method: 'POST',
      url: '/v2/models/breast-cancer-mlp/infer',
      payload: gzipSync(Buffer.from(text)),
      headers: { 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.statusCode, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(JSON.parse(gunzipSync(gz.rawPayload).toString()).id, 'golden');
    const deflated = await services.app.inject({ method: 'POST', url: '/v2/models/breast-cancer-mlp/infer', payload: text, headers: { 'accept-encoding': 'deflate' } });
    assert.equal(deflated.headers['content-encoding'], 'deflate');
    assert.equal(JSON.parse(inflateSync(deflated.rawPayload).toString()).model_name, 'breast-cancer-mlp');
  });

  test('rejects an unsupported Content-Encoding with 501 and names the accepted codings', async () => {
    const res = await post('/v2/models/breast-cancer-mlp/infer', readGolden('breast-cancer-mlp').inputText, { 'content-encoding': 'br' });
    assert.equal(res.statusCode, 501);
    assert.equal(res.headers['accept-encoding'], 'gzip, deflate');
  });
});

describe('the repository API turned off', () => {
  test('answers 501 and is not advertised', async () => {
    const repo = createTempRepo();
    repo.copyShipped('digits-cnn');
    const services = await composeLoaded(['--no-repository-api'], repo.dir);
    try {
      assert.equal((await services.app.inject({ method: 'POST', url: '/v2/repository/index' })).statusCode, 501);
      const ext = (await services.app.inject({ method: 'GET', url: '/v2' })).json<{ extensions: string[] }>().extensions;
      assert.ok(!ext.includes('model_repository'));
    } finally {
      await services.shutdown();
      repo.remove();
    }
  });
});
