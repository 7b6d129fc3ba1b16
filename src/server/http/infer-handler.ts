import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { buildResponseBody, compressBody, decodeRawInput, decompressBody, parseRequestJson, splitInferBody } from '../../protocol/v2/binary-body.js';
import { decodeInferRequest, encodeInferResponse, type InferTarget } from '../../protocol/v2/json-codec.js';
import type { InferRequest } from '../../types/infer.js';
import { ClientGone } from './client-gone.js';
import type { ModelParams } from './model-routes.js';

const EMPTY = Buffer.alloc(0);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Body → InferRequest: decompress, split at Inference-Header-Content-Length, decode. */
function decodeRequest(deps: AppDeps, request: FastifyRequest<{ Params: ModelParams }>): InferRequest {
  const { model, version } = request.params;
  const target: InferTarget = version !== undefined ? { modelName: model, modelVersion: version } : { modelName: model };
  const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY;
  const body = decompressBody(raw, header(request, 'content-encoding'), { maxBytes: deps.config.http.bodyLimitBytes });
  const split = splitInferBody(body, header(request, 'inference-header-content-length'));
  if (split.kind === 'raw') {
    const loaded = deps.repository.resolve(model, version);
    return decodeRawInput(split.body, loaded.config.inputs, loaded.config.maxBatchSize, target);
  }
  return decodeInferRequest(parseRequestJson(split.header), split.binary, target);
}

/**
 * `POST /v2/models/{m}[/versions/{v}]/infer`: decode (JSON or binary tensors), run through the
 * dataplane, encode the reply with the binary extension's rules and the client's Accept-Encoding.
 * A client that disconnects while queued aborts its request (it never runs).
 */
export async function handleInfer(
  deps: AppDeps,
  request: FastifyRequest<{ Params: ModelParams }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  request.ls.model = request.params.model;
  let inferRequest: InferRequest;
  try {
    inferRequest = decodeRequest(deps, request);
  } catch (err) {
    deps.dataplane.recordDecodeFailure(request.params.model, request.params.version, err);
    throw err;
  }
  if (inferRequest.id !== undefined) request.ls.inferId = inferRequest.id;
  // Fired by the route's close listener (model-routes.ts) if the client leaves before the reply.
  const gone = request.ls.clientGone ?? new ClientGone();
  const outcome = await deps.dataplane.infer(inferRequest, gone, request.otel?.ctx);
  request.ls.version = outcome.model.version;
  request.ls.rows = outcome.batchRows;
  const built = buildResponseBody(encodeInferResponse(outcome.response));
  const { body, encoding } = compressBody(built.body, header(request, 'accept-encoding'));
  reply.code(200).type(built.contentType);
  if (built.headerLength !== undefined) reply.header('inference-header-content-length', String(built.headerLength));
  if (encoding !== 'identity') reply.header('content-encoding', encoding);
  return reply.send(body);
}
