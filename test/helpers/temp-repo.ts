import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from './paths.js';

/** A throw-away model repository under the OS temp dir. */
export interface TempRepo {
  readonly dir: string;
  /** Copy a shipped model (optionally under another name). */
  copyShipped(model: string, as?: string): void;
  /** Write a file relative to the repository root. */
  write(path: string, content: string | Uint8Array): void;
  remove(): void;
}

export function createTempRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'layerscope-repo-'));
  return {
    dir,
    copyShipped(model, as = model) {
      cpSync(join(MODELS_DIR, model), join(dir, as), { recursive: true });
    },
    write(path, content) {
      const full = join(dir, path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, content);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
