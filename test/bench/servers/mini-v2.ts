/**
 * The smallest honest V2 infer endpoint for the baselines (bare ceiling, naive server): Fastify
 * without logging, every body read as a Buffer (like layerscope's body parser), the JSON header
 * split at `Inference-Header-Content-Length` and parsed with JSON.parse, JSON data turned into a
 * Float32Array, binary data copied into an aligned Float32Array, and the output encoded the way
 * layerscope does (JSON.stringify of Array.from for JSON; header + raw bytes for binary). No
 * validation beyond what the benchmark bodies need. Binds 127.0.0.1 only.
 */
import Fastify from 'fastify';

export interface MiniTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Compute the one output from the one input. */
export type MiniInfer = (input: MiniTensor) => MiniTensor | Promise<MiniTensor>;

interface V2Input {
  name: string;
  shape: number[];
  data?: number[];
  parameters?: { binary_data_size?: number };
}

interface V2Request {
  inputs: V2Input[];
  outputs?: { name: string; parameters?: { binary_data?: boolean } }[];
}

function decodeInput(body: Buffer, headerLength: string | string[] | undefined): { request: V2Request; input: MiniTensor } {
  let header = body;
  let binary: Buffer | undefined;
  if (typeof headerLength === 'string') {
    const n = Number(headerLength);
    header = body.subarray(0, n);
    binary = body.subarray(n);
  }
  const request = JSON.parse(header.toString('utf8')) as V2Request;
  const input = request.inputs[0];
  if (input === undefined) throw new Error('no input');
  let data: Float32Array;
  const size = input.parameters?.binary_data_size;
  if (size !== undefined && binary !== undefined) {
    data = new Float32Array(size / 4);
    new Uint8Array(data.buffer).set(binary.subarray(0, size));
  } else {
    data = Float32Array.from(input.data ?? []);
  }
  return { request, input: { name: input.name, shape: input.shape, data } };
}

/** Serve `POST /v2/models/:model/infer` and `GET /v2/health/ready` on 127.0.0.1:`port`. */
export async function startMiniServer(port: number, infer: MiniInfer): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/v2/health/ready', async (_request, reply) => reply.code(200).type('text/plain').send(''));
  app.post<{ Params: { model: string } }>('/v2/models/:model/infer', async (request, reply) => {
    const { request: v2, input } = decodeInput(request.body as Buffer, request.headers['inference-header-content-length']);
    const output = await infer(input);
    const binary = v2.outputs?.[0]?.parameters?.binary_data === true;
    let head = `{"model_name":${JSON.stringify(request.params.model)},"model_version":"1","outputs":[{"name":${JSON.stringify(output.name)},"datatype":"FP32","shape":[${output.shape.join(',')}]`;
    if (!binary) {
      head += `,"data":${JSON.stringify(Array.from(output.data))}}]}`;
      return reply.code(200).type('application/json').send(head);
    }
    const bytes = output.data.byteLength;
    const json = Buffer.from(`${head},"parameters":{"binary_data_size":${bytes}}}]}`);
    const out = Buffer.allocUnsafe(json.byteLength + bytes);
    json.copy(out, 0);
    out.set(new Uint8Array(output.data.buffer, output.data.byteOffset, bytes), json.byteLength);
    reply.code(200).type('application/octet-stream').header('inference-header-content-length', String(json.byteLength));
    return reply.send(out);
  });
  await app.listen({ host: '127.0.0.1', port });
  // Started by the harness with an IPC channel: exit when the harness goes away. Exit normally on
  // SIGTERM so that `node --cpu-prof` writes its profile.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
