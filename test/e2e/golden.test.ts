import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { assertClose, readGolden, SHIPPED_MODELS } from '../helpers/golden.js';
import { MODELS_DIR } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

describe('shipped models over HTTP', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess(['--model-repository', MODELS_DIR]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  for (const model of SHIPPED_MODELS) {
    test(`${model} answers its golden input with its golden output, as onnxruntime does directly`, async () => {
      const golden = readGolden(model);
      const res = await fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body: golden.inputText });
      assert.equal(res.status, 200);
      const body = (await res.json()) as typeof golden.output;
      assert.equal(body.model_name, model);
      assert.equal(body.model_version, '1');
      assert.equal(body.id, 'golden');
      assert.deepEqual(
        body.outputs.map((o) => o.name),
        golden.output.outputs.map((o) => o.name),
      );

      const session = await ort.InferenceSession.create(join(MODELS_DIR, model, '1', 'model.onnx'));
      const input = golden.input.inputs[0]!;
      const direct = await session.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) });
      for (const [i, expected] of golden.output.outputs.entries()) {
        const served = body.outputs[i]!;
        assert.deepEqual(served.shape, expected.shape);
        assert.equal(served.datatype, 'FP32');
        assertClose(served.data, expected.data, `${model}.${expected.name} vs golden`);
        assertClose(served.data, direct[expected.name]!.data as Float32Array, `${model}.${expected.name} vs onnxruntime`);
      }
      await session.release();
    });
  }

  test('model metadata advertises a -1 batch dim and numeric version strings', async () => {
    const res = await fetch(`${server.url}/v2/models/digits-cnn?ignored=query`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      name: 'digits-cnn',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1, 8, 8] }],
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }],
    });
  });

  test('the server is live and ready and every shipped model is ready', async () => {
    assert.equal((await fetch(`${server.url}/v2/health/live`)).status, 200);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
    for (const model of SHIPPED_MODELS) {
      assert.equal((await fetch(`${server.url}/v2/models/${model}/ready`)).status, 200, model);
      assert.equal((await fetch(`${server.url}/v2/models/${model}/versions/1/ready`)).status, 200, model);
    }
  });

  test('each request is logged once with request id, model, version, status and duration', async () => {
    const res = await fetch(`${server.url}/v2/models/digits-cnn/infer`, {
      method: 'POST',
      headers: { 'x-request-id': 'log-check-1' },
      body: readGolden('digits-cnn').inputText,
    });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 100));
    const line = server.logs.find((l) => l['reqId'] === 'log-check-1');
    assert.ok(line, 'request log line');
    assert.equal(line.msg, 'request');
    assert.equal(line['model'], 'digits-cnn');
    assert.equal(line['version'], '1');
    assert.equal(line['status'], 200);
    assert.equal(typeof line['durationMs'], 'number');
  });
});
