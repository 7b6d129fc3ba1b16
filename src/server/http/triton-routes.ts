import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { ServingError } from '../../errors/serving-error.js';
import { modelConfigJson } from '../../protocol/v2/model-config-json.js';
import { modelStatsJson } from '../../protocol/v2/statistics.js';
import type { LoadedModel } from '../../repository/model-repository.js';
import { methodNotAllowed } from './errors-plugin.js';
import { modelPaths, type ModelParams } from './model-routes.js';

/** Triton extensions real clients call: model configuration and statistics (reference §3.1, §3.3). */
export function registerTritonRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { repository } = deps;
  for (const url of modelPaths('/config')) {
    app.get(url, async (request: FastifyRequest<{ Params: ModelParams }>) => {
      const loaded = repository.resolve(request.params.model, request.params.version);
      return modelConfigJson({
        ...loaded.config,
        instanceCount: loaded.runner.instanceCount,
        provider: loaded.runner.provider,
      });
    });
    methodNotAllowed(app, url, ['GET']);
  }

  // `/v2/models/stats` is matched before the model routes (a model named "stats" is unreachable).
  app.get('/v2/models/stats', async () => ({ model_stats: repository.loaded().map((m) => modelStatsJson(deps.stats.get(m.name, m.version))) }));
  methodNotAllowed(app, '/v2/models/stats', ['GET']);
  for (const url of modelPaths('/stats')) {
    app.get(url, async (request: FastifyRequest<{ Params: ModelParams }>) => {
      const { model, version } = request.params;
      const versions = statsTargets(deps, model, version);
      return { model_stats: versions.map((m) => modelStatsJson(deps.stats.get(m.name, m.version))) };
    });
    methodNotAllowed(app, url, ['GET']);
  }
}

function statsTargets(deps: AppDeps, model: string, version?: string): LoadedModel[] {
  try {
    if (version !== undefined) return [deps.repository.resolve(model, version)];
    deps.repository.resolve(model);
    return deps.repository.loaded().filter((m) => m.name === model);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ServingError('LS_ERR_STATS_MODEL_UNAVAILABLE', { model, reason });
  }
}

interface RepositoryParams {
  model?: string;
  repository?: string;
}

function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8').trim() : '';
  if (raw === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new ServingError('LS_ERR_REQUEST_INVALID_JSON', { detail: err instanceof Error ? err.message : String(err) });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ServingError('LS_ERR_REPOSITORY_INVALID_BODY', { field: '(body)', expected: 'a JSON object', received: JSON.stringify(value) });
  }
  return value as Record<string, unknown>;
}

/**
 * The model repository extension (reference §3.2): index, load, unload. An admin surface: it can
 * be turned off with `repository.apiEnabled: false` (then every route answers 501).
 */
export function registerRepositoryRoutes(app: FastifyInstance, deps: AppDeps): void {
  const guard = (request: FastifyRequest<{ Params: RepositoryParams }>): void => {
    if (!deps.config.repository.apiEnabled) throw new ServingError('LS_ERR_REPOSITORY_DISABLED');
    if (request.params.repository !== undefined) throw new ServingError('LS_ERR_REPOSITORY_NAME_UNSUPPORTED');
  };
  for (const prefix of ['/v2/repository', '/v2/repository/:repository']) {
    app.post(`${prefix}/index`, async (request: FastifyRequest<{ Params: RepositoryParams }>) => {
      guard(request);
      const body = jsonBody(request);
      if (body['ready'] !== undefined && typeof body['ready'] !== 'boolean') {
        throw new ServingError('LS_ERR_REPOSITORY_INVALID_BODY', { field: 'ready', expected: 'a boolean', received: JSON.stringify(body['ready']) });
      }
      return deps.repository
        .index()
        .filter((s) => body['ready'] !== true || s.state === 'READY')
        .map((s) => ({
          name: s.name,
          ...(s.version !== '' ? { version: s.version } : {}),
          state: s.state,
          ...(s.reason !== '' ? { reason: s.reason } : {}),
        }));
    });
    methodNotAllowed(app, `${prefix}/index`, ['POST']);
    app.post(`${prefix}/models/:model/load`, async (request: FastifyRequest<{ Params: RepositoryParams }>, reply: FastifyReply) => {
      guard(request);
      const params = jsonBody(request)['parameters'];
      if (params !== undefined && params !== null && typeof params === 'object') {
        const override = Object.keys(params).find((k) => k === 'config' || k.startsWith('file:'));
        if (override) {
          throw new ServingError('LS_ERR_REPOSITORY_INVALID_BODY', { field: `parameters.${override}`, expected: 'no override (config and file overrides are not supported)', received: 'an override' });
        }
      }
      await deps.repository.load(request.params.model ?? '');
      return reply.code(200).type('application/json').send('');
    });
    methodNotAllowed(app, `${prefix}/models/:model/load`, ['POST']);
    app.post(`${prefix}/models/:model/unload`, async (request: FastifyRequest<{ Params: RepositoryParams }>, reply: FastifyReply) => {
      guard(request);
      jsonBody(request);
      await deps.repository.unload(request.params.model ?? '');
      return reply.code(200).type('application/json').send('');
    });
    methodNotAllowed(app, `${prefix}/models/:model/unload`, ['POST']);
  }
}
