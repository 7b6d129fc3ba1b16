import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from './paths.js';
import type { TempRepo } from './temp-repo.js';

/**
 * Put the slow fixture model (x FP32 [batch,512] → y, a ≥ 200 ms forward pass at batch 1 on one
 * thread) into a repository as `slow`, one instance, one intra-op thread.
 */
export function addSlowModel(repo: TempRepo, name = 'slow', instances = 1): void {
  repo.write(`${name}/1/model.onnx`, readFileSync(join(FIXTURES_DIR, 'runtime', 'slow-matmul.onnx')));
  repo.write(
    `${name}/config.json`,
    JSON.stringify({
      max_batch_size: 4,
      instance_group: [{ count: instances, kind: 'KIND_CPU' }],
      onnxruntime: { intra_op_threads: 1 },
      // Profiling and activation runs of a 300 ms model would compete for the two cores.
      observe: { enabled: false },
    }),
  );
}

/** A V2 JSON body for the slow model with `rows` rows of zeros. */
export function slowBody(rows = 1, id?: string): string {
  return JSON.stringify({
    ...(id !== undefined ? { id } : {}),
    inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 512], data: new Array(rows * 512).fill(0) }],
  });
}
