import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Port of the Prometheus listener (0 when metrics are disabled). */
  readonly metricsPort: number;
  /** `GET /metrics` on it. */
  readonly metricsUrl: string;
  /** Every JSON log line so far (stdout). */
  readonly logs: LogLine[];
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

/**
 * Start the real `layerscope serve` process (bin/layerscope.js) on port 0 and wait until the
 * repository finished loading. Logs are parsed from stdout.
 */
export async function startServerProcess(args: readonly string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'layerscope.js'), 'serve', '--http-port', '0', '--metrics-port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let port = 0;
  let metricsPort = 0;
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      logs.push(parsed);
      if (parsed.msg === 'listening' && typeof parsed['httpPort'] === 'number') port = parsed['httpPort'];
      if (parsed.msg === 'listening' && typeof parsed['metricsPort'] === 'number') metricsPort = parsed['metricsPort'];
      if (parsed.msg === 'repository loaded') resolve();
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${stderr}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await ready.finally(() => clearTimeout(timeout));
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    metricsPort,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    logs,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
