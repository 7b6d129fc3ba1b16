/**
 * (b) The naive server: one onnxruntime `session.run` per request on the main thread (onnxruntime-node
 * directly, no batching, no workers), behind the same V2 parsing and encoding as the ceiling.
 *   node dist/test/bench/servers/naive-server.js --port P --model FILE --threads 1|default
 * `default` creates the session with `{}` (onnxruntime picks the threads, spinning on).
 */
import ort from 'onnxruntime-node';
import { argValue } from '../argv.js';
import { startMiniServer } from './mini-v2.js';

const port = Number(argValue('port'));
const threads = argValue('threads');
const options: ort.InferenceSession.SessionOptions = threads === 'default' ? {} : { intraOpNumThreads: Number(threads) };
const session = await ort.InferenceSession.create(argValue('model'), options);
const inputName = session.inputNames[0] as string;
const outputName = session.outputNames[0] as string;

await startMiniServer(port, async (input) => {
  const feeds = {
    [inputName]: new ort.Tensor('float32', input.data, input.shape),
  };
  const result = await session.run(feeds);
  const output = result[outputName] as ort.Tensor;
  return {
    name: outputName,
    shape: output.dims,
    data: output.data as Float32Array,
  };
});
