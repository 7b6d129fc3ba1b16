import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CONFIG_FILE_OPTION, OPTIONS, type OptionSpec } from './options.js';
import { serverConfigSchema, type ServerConfig } from './server-config.js';

/** Thrown with every problem found, already formatted for a human. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Command-line arguments after the subcommand. */
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Read a config file (tests pass a fake). */
  readonly readFile?: (path: string) => string;
}

type Tree = Record<string, unknown>;

/**
 * Build the server config: defaults < config file < LAYERSCOPE_* env < flags. Every problem
 * (unknown flag, bad number, unknown key, out-of-range value) is collected and thrown together.
 */
export function loadConfig(options: LoadConfigOptions = {}): ServerConfig {
  const env = options.env ?? {};
  const problems: string[] = [];
  const flags = parseFlags(options.argv ?? [], problems);
  const file = flags.get(CONFIG_FILE_OPTION.flag) ?? env[CONFIG_FILE_OPTION.env];
  const merged: Tree = file ? readConfigFile(file, options.readFile, problems) : {};
  for (const spec of OPTIONS) {
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') setPath(merged, spec.path, coerce(spec, raw, spec.env, problems));
  }
  for (const spec of OPTIONS) {
    const raw = flags.get(spec.flag);
    if (raw !== undefined) setPath(merged, spec.path, coerce(spec, raw, `--${spec.flag}`, problems));
  }
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) problems.push(z.prettifyError(parsed.error));
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return deepFreeze(parsed.data);
}

function parseFlags(argv: readonly string[], problems: string[]): Map<string, string> {
  const known = new Set([...OPTIONS.map((o) => o.flag), CONFIG_FILE_OPTION.flag]);
  const bools = new Set(OPTIONS.filter((o) => o.type === 'bool').map((o) => o.flag));
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument '${arg}'`);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined && name.startsWith('no-') && bools.has(name.slice(3))) {
      name = name.slice(3);
      value = 'false';
    }
    if (!known.has(name)) {
      problems.push(`unknown flag '--${name}'`);
      continue;
    }
    if (value === undefined) {
      const next = argv[i + 1];
      if (bools.has(name) && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) {
        problems.push(`flag '--${name}' needs a value`);
        continue;
      } else {
        value = next;
        i++;
      }
    }
    flags.set(name, value);
  }
  return flags;
}

function readConfigFile(path: string, readFile: LoadConfigOptions['readFile'], problems: string[]): Tree {
  try {
    const text = (readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`config file '${path}': expected a JSON object`);
      return {};
    }
    return value as Tree;
  } catch (err) {
    problems.push(`config file '${path}': ${err instanceof Error ? err.message : String(err)}`);
    return {};
  }
}

function coerce(spec: OptionSpec, raw: string, source: string, problems: string[]): unknown {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'bool': {
      const v = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      problems.push(`${source}: expected a boolean (true/false), got '${raw}'`);
      return undefined;
    }
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        problems.push(`${source}: expected a number, got '${raw}'`);
        return undefined;
      }
      return value;
    }
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) {
        problems.push(`${source}: expected an integer, got '${raw}'`);
        return undefined;
      }
      return Number(raw);
    }
  }
}

function setPath(tree: Tree, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] ?? path] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
