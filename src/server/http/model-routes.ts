import { ClientGone } from './client-gone.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { modelMetadata } from '../../protocol/v2/metadata.js';
import { methodNotAllowed } from './errors-plugin.js';
import { handleInfer } from './infer-handler.js';

export interface ModelParams {
  model: string;
  version?: string;
}

/** Model routes exist with and without `/versions/{v}`; versions are decimal integers only. */
export function modelPaths(suffix: string): string[] {
  return [`/v2/models/:model${suffix}`, `/v2/models/:model/versions/:version(^\\d+)${suffix}`];
}

/** `GET /v2/models/{m}[/versions/{v}]`, `.../ready`, `POST .../infer`. */
export function registerModelRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { repository } = deps;
  for (const url of modelPaths('')) {
    app.get(url, async (request: FastifyRequest<{ Params: ModelParams }>) => {
      const { model, version } = request.params;
      request.ls.model = model;
      const loaded = repository.resolve(model, version);
      request.ls.version = loaded.version;
      return modelMetadata({
        name: model,
        versions: version !== undefined ? [version] : repository.readyVersions(model),
        platform: loaded.config.platform,
        maxBatchSize: loaded.config.maxBatchSize,
        inputs: loaded.config.inputs,
        outputs: loaded.config.outputs,
      });
    });
    methodNotAllowed(app, url, ['GET']);
  }
  for (const url of modelPaths('/ready')) {
    app.get(url, async (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
      const { model, version } = request.params;
      request.ls.model = model;
      const ready = repository.isReady(model, version);
      return reply.code(ready ? 200 : 400).type('text/plain').send('');
    });
    methodNotAllowed(app, url, ['GET']);
  }
  // Our own extension, for humans: the model's layers, observed or not, with the latest figures.
  for (const url of modelPaths('/layers')) {
    app.get(url, async (request: FastifyRequest<{ Params: ModelParams }>) => {
      const loaded = repository.resolve(request.params.model, request.params.version);
      return deps.layerReport(loaded.name, loaded.version);
    });
    methodNotAllowed(app, url, ['GET']);
  }
  for (const url of modelPaths('/infer')) {
    app.post(url, {
      // Admitted on arrival, released when the response is written or the client goes away,
      // so a drain waits for every request that arrived before SIGTERM. The same listener tells a
      // queued request that its client is gone (it is then dropped, never run).
      onRequest: (request, reply, done) => {
        let release: () => void;
        try {
          release = deps.dataplane.admit();
        } catch (err) {
          done(err as Error);
          return;
        }
        const gone = new ClientGone();
        request.ls.clientGone = gone;
        reply.raw.once('close', () => {
          release();
          if (!reply.raw.writableFinished) gone.abort();
        });
        done();
      },
      handler: (request: FastifyRequest<{ Params: ModelParams }>, reply) => handleInfer(deps, request, reply),
    });
    methodNotAllowed(app, url, ['POST']);
  }
}
