import { compose, type Services } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/types/logger.js';
import { MODELS_DIR } from './paths.js';

/** The real app over a repository (shipped models by default), loaded, not listening. */
export async function composeLoaded(args: readonly string[] = [], repository = MODELS_DIR): Promise<Services> {
  const config = loadConfig({ argv: ['--model-repository', repository, ...args] });
  const services = compose({ config, logger: silentLogger });
  await services.repository.loadAll();
  await services.app.ready();
  return services;
}
