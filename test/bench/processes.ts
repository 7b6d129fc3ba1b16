/**
 * Child processes of the benchmark (servers, wrk, the raw onnxruntime loop) and their cleanup:
 * every child is killed when the harness exits, fails, or gets SIGINT/SIGTERM; temp dirs are
 * removed. Servers bind 127.0.0.1 only.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let installed = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Kill every child and remove temp dirs on exit, on error and on SIGINT/SIGTERM. Idempotent. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping servers\n`);
      killAll();
      process.exit(130);
    });
  }
}

export function removeOnExit(dir: string): void {
  tempDirs.add(dir);
}

/** spawn() and remember the child so that cleanup kills it. */
export function track(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export { freePort } from '../helpers/free-port.js';

/** user+system CPU seconds of a process and all its threads, from /proc (Linux; NaN elsewhere). */
export function cpuSeconds(pid: number | undefined): number {
  // Fields after the command name (which may contain spaces) start after the last ')':
  // utime, stime in USER_HZ (100).
  return pid === undefined ? NaN : cpuField(pid, 11) + cpuField(pid, 12);
}

/** user+system CPU seconds of this process's reaped children (wrk, once it has exited). */
export function childrenCpuSeconds(): number {
  return cpuField(process.pid, 13) + cpuField(process.pid, 14);
}

function cpuField(pid: number, index: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index]) / 100;
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine, all cores (from /proc/stat; NaN elsewhere). */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Wait until the rest of the machine is quiet (busy < `maxCores` over a 300 ms sample), at most
 * `maxWaitMs`: on a shared machine another process's burst would otherwise land in a cell.
 * Returns the busy cores of the last sample.
 */
export async function waitQuiet(maxCores: number, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = machineBusySeconds();
    await sleep(300);
    const busy = (machineBusySeconds() - before) / 0.3;
    if (!(busy >= maxCores) || Date.now() > deadline) return busy;
  }
}

export interface RunningServer {
  readonly label: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Output so far (stdout + stderr), for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawn a server process and wait until `GET /v2/health/ready` answers 200.
 * @throws Error with the server's output if it exits first or is not ready within `timeoutMs`.
 */
export async function startServer(label: string, args: readonly string[], port: number, timeoutMs = 120_000): Promise<RunningServer> {
  const child = track(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/v2/health/ready`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} not ready after ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  return {
    label,
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Ask a child started with an IPC channel for a message (answers `{type}` with `{type, ...}`). */
export async function ask<T>(child: ChildProcess, type: string, timeoutMs = 2_000): Promise<T | undefined> {
  if (!child.connected) return undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      resolve(undefined);
    }, timeoutMs);
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message as T);
      }
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}
