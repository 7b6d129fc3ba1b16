// `helm test` for layerscope: readiness, one inference with a known answer, and /metrics.
// Runs with the server image's node (no extra image); configuration comes from the environment.
// Exits non-zero, with the reason on stderr, on the first failed check.
const env = (name, fallback) => process.env[name] ?? fallback;
const base = env('LAYERSCOPE_URL', 'http://127.0.0.1:8000');
const metricsUrl = env('LAYERSCOPE_METRICS_URL', 'http://127.0.0.1:8002/metrics');
const attempts = Number(env('ATTEMPTS', '30'));

async function get(url, init) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

function fail(message) {
  process.stderr.write(`FAIL ${message}\n`);
  process.exit(1);
}

// 1. Readiness: the server answers 200 once its repository is loaded.
let ready = false;
for (let i = 0; i < attempts && !ready; i++) {
  try {
    ready = (await get(`${base}/v2/health/ready`)).status === 200;
  } catch {
    // not reachable yet
  }
  if (!ready && i + 1 < attempts) await new Promise((resolve) => setTimeout(resolve, 2000));
}
if (!ready) fail(`${base}/v2/health/ready did not answer 200`);
process.stdout.write(`ok ready ${base}\n`);

// 2. One inference with a known answer.
if (env('INFER_ENABLED', 'true') === 'true') {
  const model = env('INFER_MODEL', 'digits-cnn');
  const { status, text } = await get(`${base}/v2/models/${encodeURIComponent(model)}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: env('INFER_BODY', '{}'),
  });
  if (status !== 200) fail(`infer on ${model} answered ${status}: ${text}`);
  const output = JSON.parse(text).outputs?.[0];
  const expectedShape = JSON.parse(env('INFER_EXPECTED_SHAPE', 'null'));
  if (expectedShape && JSON.stringify(output?.shape) !== JSON.stringify(expectedShape)) {
    fail(`infer on ${model}: shape ${JSON.stringify(output?.shape)}, expected ${JSON.stringify(expectedShape)}`);
  }
  const expectedClass = env('INFER_EXPECTED_CLASS', '');
  if (expectedClass !== '') {
    const data = output.data.flat(Infinity);
    const argmax = data.indexOf(Math.max(...data));
    if (argmax !== Number(expectedClass)) fail(`infer on ${model}: class ${argmax}, expected ${expectedClass}`);
  }
  process.stdout.write(`ok infer ${model}\n`);
}

// 3. Metrics: the Prometheus endpoint answers with layerscope's series (skipped when no URL).
if (metricsUrl !== '') {
  const metrics = await get(metricsUrl);
  if (metrics.status !== 200) fail(`${metricsUrl} answered ${metrics.status}`);
  if (!/^layerscope_request_success_total\{/m.test(metrics.text)) fail(`${metricsUrl} has no layerscope_request_success_total series`);
  process.stdout.write(`ok metrics ${metricsUrl}\n`);
}
