/**
 * (a) The HTTP ceiling: the same V2 parsing and output encoding as layerscope, no model. Answers
 * every request with a fixed output of the model's output size (`rows × output-row-dims`).
 *   node dist/test/bench/servers/bare-server.js --port P --output-name y --output-row-dims 1024
 */
import { prng } from '../bench-models.js';
import { argValue } from '../argv.js';
import { startMiniServer, type MiniTensor } from './mini-v2.js';

const port = Number(argValue('port'));
const outputName = argValue('output-name');
const rowDims = argValue('output-row-dims').split(',').map(Number);
const rowSize = rowDims.reduce((a, b) => a * b, 1);
const cache = new Map<number, MiniTensor>();

/** A fixed output for `rows` rows; values like logits, so the JSON text is as long as a real one. */
function fixedOutput(rows: number): MiniTensor {
  let output = cache.get(rows);
  if (output === undefined) {
    const next = prng(7);
    const data = new Float32Array(rows * rowSize);
    for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * 10;
    output = { name: outputName, shape: [rows, ...rowDims], data };
    cache.set(rows, output);
  }
  return output;
}

await startMiniServer(port, (input) => fixedOutput(input.shape[0] ?? 1));
