import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Services } from '../../src/compose.js';
import { composeLoaded } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

interface ErrorBody {
  error: string;
  code: string;
}

describe('malformed inference requests', () => {
  let services: Services;
  before(async () => {
    services = await composeLoaded(['--body-limit-bytes', '65536']);
  });
  after(async () => {
    await services.shutdown();
  });

  async function infer(payload: string | object, url = '/v2/models/digits-cnn/infer', headers: Record<string, string> = {}) {
    const res = await services.app.inject({
      method: 'POST',
      url,
      headers,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: res.statusCode, body: res.json<ErrorBody>(), headers: res.headers };
  }

  const row = (data: unknown, overrides: object = {}) => ({
    inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 8, 8], data, ...overrides }],
  });
  const zeros = new Array(64).fill(0);

  test('rejects invalid JSON with 400 and the parser message', async () => {
    const res = await infer('{"inputs": [');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_REQUEST_INVALID_JSON');
    assert.match(res.body.error, /JSON/);
  });

  test('rejects a wrong datatype naming the input, the expected and the received type', async () => {
    const res = await infer(row(zeros, { datatype: 'INT32' }));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_INPUT_DATATYPE');
    assert.equal(res.body.error, "inference input 'input' data-type is 'INT32', but model 'digits-cnn' expects 'FP32'");
  });

  test('rejects a shape that does not match the model, showing expected and received shapes', async () => {
    const res = await infer(row(new Array(63).fill(0), { shape: [1, 1, 7, 9] }));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_INPUT_SHAPE');
    assert.match(res.body.error, /'input'.*Expected \[-1,1,8,8\], got \[1,1,7,9\]/);
  });

  test('rejects an element count that does not match the shape', async () => {
    const res = await infer(row(new Array(60).fill(0)));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_INPUT_ELEMENT_COUNT');
    assert.match(res.body.error, /'input'.*64.*60/);
  });

  test('rejects an element of the wrong JSON type naming its index', async () => {
    const res = await infer(row([...zeros.slice(0, 5), 'x', ...zeros.slice(6)]));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_INPUT_ELEMENT_TYPE');
    assert.match(res.body.error, /'input'.*5/);
  });

  test('rejects FP16 data sent as JSON with a clear message', async () => {
    const res = await infer(row(zeros, { datatype: 'FP16' }));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_INPUT_JSON_UNSUPPORTED_TYPE');
    assert.match(res.body.error, /FP16.*binary data format.*'input'/);
  });

  test('rejects a missing input and an unknown input by name', async () => {
    const missing = await infer({ inputs: [{ name: 'other', datatype: 'FP32', shape: [1], data: [1] }] });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'LS_ERR_INPUT_UNKNOWN');
    assert.match(missing.body.error, /'other'.*'digits-cnn'/);
  });

  test('rejects a batch larger than max_batch_size', async () => {
    const res = await infer(row(new Array(65 * 64).fill(0), { shape: [65, 1, 8, 8] }));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_BATCH_TOO_LARGE');
    assert.match(res.body.error, /<= 64.*65/);
  });

  test('answers 404 for an unknown model', async () => {
    const res = await infer(row(zeros), '/v2/models/no-such-model/infer');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, "Request for unknown model: 'no-such-model' is not found");
  });

  test('answers 404 for an unknown version', async () => {
    const res = await infer(row(zeros), '/v2/models/digits-cnn/versions/7/infer');
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'LS_ERR_MODEL_VERSION_NOT_FOUND');
    assert.match(res.body.error, /version 7/);
  });

  test('answers 404 Not Found for a non-numeric version (versions are integers)', async () => {
    const res = await infer(row(zeros), '/v2/models/digits-cnn/versions/latest/infer');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'Not Found');
  });

  test('rejects an unknown requested output by name', async () => {
    const res = await infer({ ...row(zeros), outputs: [{ name: 'probabilities' }] });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LS_ERR_OUTPUT_UNKNOWN');
    assert.match(res.body.error, /'probabilities'.*'digits-cnn'/);
  });

  test('rejects an oversize body with 413', async () => {
    const res = await infer(readGolden('digits-cnn').inputText.padEnd(70_000, ' '));
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'LS_ERR_REQUEST_BODY_TOO_LARGE');
    assert.match(res.body.error, /65536/);
  });

  test('answers 405 for a wrong method on a known route and 404 elsewhere', async () => {
    const wrong = await services.app.inject({ method: 'GET', url: '/v2/models/digits-cnn/infer' });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.json<ErrorBody>().error, 'Method Not Allowed');
    const missing = await services.app.inject({ method: 'GET', url: '/v3/anything' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<ErrorBody>().error, 'Not Found');
  });

  test('accepts a body with no content type, or octet-stream, and ignores query strings', async () => {
    const text = readGolden('digits-cnn').inputText;
    for (const headers of [{}, { 'content-type': 'application/octet-stream' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer?x=1', headers, payload: text });
      assert.equal(res.statusCode, 200, JSON.stringify(headers));
    }
  });

  test('accepts nested data and returns only the requested output with the request id echoed', async () => {
    const nested = [[Array.from({ length: 8 }, () => new Array(8).fill(1))]];
    const res = await services.app.inject({
      method: 'POST',
      url: '/v2/models/breast-cancer-mlp/infer',
      payload: JSON.stringify({
        id: 'req-7',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], data: [new Array(30).fill(1), new Array(30).fill(2)] }],
        outputs: [{ name: 'probabilities' }],
      }),
    });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ id: string; outputs: { name: string; shape: number[]; data: number[]; parameters?: unknown }[] }>();
    assert.equal(body.id, 'req-7');
    assert.deepEqual(body.outputs.map((o) => o.name), ['probabilities']);
    assert.deepEqual(body.outputs[0]!.shape, [2, 2]);
    assert.equal(body.outputs[0]!.parameters, undefined);
    const cnn = await services.app.inject({
      method: 'POST',
      url: '/v2/models/digits-cnn/infer',
      payload: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 8, 8], data: nested }] }),
    });
    assert.equal(cnn.statusCode, 200);
    assert.equal(cnn.json<{ id?: string }>().id, undefined);
  });
});
