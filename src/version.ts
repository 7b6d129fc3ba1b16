import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** layerscope's version, from package.json (read once, on first use). */
export function serverVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cached = pkg.version ?? '0.0.0';
  }
  return cached;
}
