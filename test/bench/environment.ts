/**
 * The header of a run: machine, versions, commit, settings — so that a pasted result says what it
 * measured.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import type { BenchConfig } from './options.js';

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function commit(): string {
  try {
    const head = execFileSync('git', ['log', '-1', '--format=%h %s'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? head : `${head} (+ uncommitted changes in src/)`;
  } catch {
    return '?';
  }
}

export function environmentLines(config: BenchConfig, wrkVersion: string): string[] {
  return [
    `- ${new Date().toISOString()}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, onnxruntime-node ${packageVersion('onnxruntime-node')}, fastify ${packageVersion('fastify')}, ${wrkVersion} (-t1, same machine)`,
    `- commit ${commit()}; 1-min load average at start ${loadavg()[0]?.toFixed(2)}`,
    `- layerscope: ${config.instances > 0 ? `${config.instances} instance(s) × ${config.threads > 0 ? config.threads : 1} intra-op thread(s) per model (--instances/--threads)` : "the server's default instances × intra-op threads for each model (shown with its raw onnxruntime table)"}, max_batch_size 64, dynamic_batching {max_queue_delay_microseconds: 0} for ls-batch, none for ls-nobatch`,
    `- servers: bare = Fastify, same parsing/encoding, fixed output (the HTTP ceiling); naive-t1/-tdef = one session.run per request on the main thread, intraOpNumThreads 1 / default; ls-* = bin/layerscope.js serve`,
    `- every request carries 1 row; rows/s = req/s × 1; avg batch = rows ÷ executions in the server`,
    `- CPU columns in cores during the cell: srv = the server process (srv µs/req = its CPU time per request, all threads), wrk = the load generator, other = the rest of the machine (other processes, kernel, steal): cells with other > 0.25 are marked busy (each cell first waits up to 8 s, 2 min a run in all, for the machine to be quiet)`,
  ];
}
