import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/**
 * The Python side of the conformance tests: `.venv/` made by scripts/setup-python-env.sh, holding
 * NVIDIA's tritonclient, numpy, onnxruntime and the perf_analyzer binary.
 */
export const VENV_DIR = join(REPO_ROOT, '.venv');
export const VENV_PYTHON = join(VENV_DIR, 'bin', 'python');
export const PERF_ANALYZER = join(VENV_DIR, 'bin', 'perf_analyzer');
export const SETUP_COMMAND = 'bash scripts/setup-python-env.sh';

/** True under CI (`.ci/run` runs with CI=true): a missing tool fails the test instead of skipping it. */
export const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

export type PythonTool = 'python' | 'perf_analyzer';

/** Why a tool cannot be used here, or undefined when it is in place. */
export function pythonToolProblem(tool: PythonTool): string | undefined {
  if (tool === 'perf_analyzer' && arch() !== 'x64') return `perf_analyzer is only shipped for x86_64 (this machine is ${arch()})`;
  const path = tool === 'python' ? VENV_PYTHON : PERF_ANALYZER;
  if (!existsSync(path)) return `${path.slice(REPO_ROOT.length)} is missing: run \`${SETUP_COMMAND}\` first`;
  return undefined;
}

/**
 * The `skip` option for a test needing `tool`: the reason when it is missing locally, false when it
 * is there, and also false under CI, where the test then fails through {@link assertPythonTool}.
 * (No x86_64 build of perf_analyzer exists, so that one skips in CI too.)
 */
export function skipWithoutPythonTool(tool: PythonTool): string | false {
  const problem = pythonToolProblem(tool);
  if (problem === undefined) return false;
  if (IN_CI && !problem.startsWith('perf_analyzer is only shipped')) return false;
  return problem;
}

export function assertPythonTool(tool: PythonTool): void {
  const problem = pythonToolProblem(tool);
  if (problem !== undefined) throw new Error(`${problem} (CI=${process.env['CI'] ?? ''}; .ci/run runs the setup before npm test)`);
}

export interface ToolRun {
  /** Exit code; null when killed (by the timeout or a signal). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** stdout and stderr interleaved in arrival order. */
  readonly output: string;
  readonly durationMs: number;
}

/** Run a command to completion (async, so the event loop stays free), killing it after `timeoutMs`. */
export function runTool(command: string, args: readonly string[], timeoutMs: number, env: Record<string, string> = {}): Promise<ToolRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output, durationMs: Date.now() - started });
    });
  });
}

/** A one-paragraph description of a finished run, for assertion messages. */
export function describeRun(what: string, run: ToolRun): string {
  const how = run.timedOut ? 'was killed after its timeout' : run.signal !== null ? `died of ${run.signal}` : `exited ${run.code}`;
  return `${what} ${how} after ${run.durationMs} ms; its output:\n${run.output}`;
}
