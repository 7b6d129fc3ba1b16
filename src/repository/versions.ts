import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VersionPolicy } from './model-config.js';

/** Numeric version folders of a model directory, ascending. */
export function listVersions(modelDir: string): number[] {
  const versions: number[] = [];
  for (const entry of readdirSync(modelDir)) {
    if (!/^[1-9]\d*$/.test(entry)) continue;
    if (statSync(join(modelDir, entry)).isDirectory()) versions.push(Number(entry));
  }
  return versions.sort((a, b) => a - b);
}

/** Versions the policy selects (Triton's latest N / all / specific). */
export function selectVersions(available: readonly number[], policy: VersionPolicy): number[] {
  if ('all' in policy) return [...available];
  if ('specific' in policy) return available.filter((v) => policy.specific.versions.includes(v));
  return available.slice(-policy.latest.num_versions);
}
