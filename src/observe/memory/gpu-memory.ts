import { execFile } from 'node:child_process';

export interface GpuMemory {
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  readonly usedBytes: number;
  readonly totalBytes: number;
}

const MIB = 1024 * 1024;
const QUERY = ['--query-gpu=index,uuid,name,memory.used,memory.total', '--format=csv,noheader,nounits'];

/** Parse `nvidia-smi --query-gpu=index,uuid,name,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(text: string): GpuMemory[] {
  const gpus: GpuMemory[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 5) continue;
    const [index, uuid, name, used, total] = cells as [string, string, string, string, string];
    if (!/^\d+$/.test(index) || !Number.isFinite(Number(used)) || !Number.isFinite(Number(total))) continue;
    gpus.push({ index: Number(index), uuid, name, usedBytes: Number(used) * MIB, totalBytes: Number(total) * MIB });
  }
  return gpus;
}

/**
 * Query NVIDIA GPUs through `nvidia-smi` (shipped with the driver). No binary, no driver or no
 * GPU → an empty list, so no series are exported on CPU-only machines.
 */
export function queryGpuMemory(binary = 'nvidia-smi', timeoutMs = 2000): Promise<GpuMemory[]> {
  return new Promise((resolve) => {
    execFile(binary, QUERY, { timeout: timeoutMs }, (error, stdout) => resolve(error ? [] : parseNvidiaSmi(stdout)));
  });
}
