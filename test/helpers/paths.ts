import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root (tests run compiled from dist/test/...). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MODELS_DIR = join(REPO_ROOT, 'models');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');
