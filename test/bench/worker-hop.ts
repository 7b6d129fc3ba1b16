/**
 * Micro-benchmark: the cost of one main → worker → main round trip (what every layerscope
 * execution pays on top of session.run), with and without transferring a buffer, against a
 * same-thread `await setImmediate` hop. Prints µs per round trip and CPU µs per round trip; then
 * the round trip and a fixed piece of main-thread work after the worker computed 0.05 ms vs 3 ms
 * (why a big model's requests at concurrency 1 pay more than a small model's outside onnxruntime).
 *   node dist/test/bench/worker-hop.js [--seconds 2]
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

interface Hop {
  readonly id: number;
  readonly buffer?: ArrayBuffer;
  /** The worker computes (busy-waits) this long before answering; it answers with the time it took. */
  readonly busyMs?: number;
  readonly tookMs?: number;
}

if (!isMainThread) {
  parentPort?.on('message', (hop: Hop) => {
    if (hop.busyMs !== undefined) {
      const start = performance.now();
      while (performance.now() - start < hop.busyMs);
      parentPort?.postMessage({ id: hop.id, tookMs: performance.now() - start });
    } else if (hop.buffer !== undefined) parentPort?.postMessage(hop, [hop.buffer]);
    else parentPort?.postMessage(hop);
  });
} else {
  const i = process.argv.indexOf('--seconds');
  const seconds = i >= 0 ? Number(process.argv[i + 1]) : 2;
  const worker = new Worker(new URL(import.meta.url));

  const roundTrip = (hop: Hop, transfer: boolean): Promise<Hop> =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      if (transfer && hop.buffer !== undefined) worker.postMessage(hop, [hop.buffer]);
      else worker.postMessage(hop);
    });

  async function measure(label: string, once: () => Promise<unknown>): Promise<string> {
    for (let n = 0; n < 200; n++) await once();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < seconds * 1000) {
      await once();
      n++;
    }
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    return `| ${label.padEnd(44)} | ${((ms * 1000) / n).toFixed(1).padStart(8)} | ${((cpu.user + cpu.system) / n).toFixed(1).padStart(16)} |`;
  }

  const lines = ['| hop | µs/round trip | process CPU µs/hop |', '|:--|--:|--:|'];
  lines.push(await measure('same thread: await setImmediate', () => new Promise((r) => setImmediate(r))));
  lines.push(await measure('worker round trip, no buffer', () => roundTrip({ id: 1 }, false)));
  let buffer = new ArrayBuffer(256);
  lines.push(
    await measure('worker round trip, 256 B transferred', async () => {
      const back = await roundTrip({ id: 1, buffer }, true);
      buffer = back.buffer as ArrayBuffer;
    }),
  );
  let big = new ArrayBuffer(64 * 4096);
  lines.push(
    await measure('worker round trip, 256 KiB transferred', async () => {
      const back = await roundTrip({ id: 1, buffer: big }, true);
      big = back.buffer as ArrayBuffer;
    }),
  );
  lines.push(
    await measure('worker round trip, 256 B copied (no transfer)', () => roundTrip({ id: 1, buffer: new ArrayBuffer(256) }, false)),
  );
  process.stdout.write(`${lines.join('\n')}\n(process CPU counts both threads)\n\n`);
  process.stdout.write(`${await afterIdle()}\n`);
  await worker.terminate();

  /**
   * What the main thread's own work costs right after it slept while the worker computed: the same
   * fixed walk over ~2,000 linked objects (a request's worth of JS objects), after a 0.05 ms and
   * after a 3 ms computation (digits-cnn vs the MLP at batch 1), interleaved. On this project's
   * VMs the walk after a 3 ms sleep takes about twice as long: the sleeping vCPU comes back cold.
   */
  async function afterIdle(): Promise<string> {
    const N = 2000;
    const nodes = Array.from({ length: N }, (_, i) => ({ i, v: Math.random(), next: undefined as unknown }));
    const order = nodes.map((_, i) => i).sort(() => Math.random() - 0.5);
    for (let k = 0; k < N; k++) (nodes[order[k] as number] as { next: unknown }).next = nodes[order[(k + 1) % N] as number];
    const walk = (): number => {
      const start = performance.now();
      let node = nodes[0] as { v: number; next: unknown };
      let sum = 0;
      for (let k = 0; k < N; k++) {
        sum += node.v;
        node = node.next as { v: number; next: unknown };
      }
      if (Number.isNaN(sum)) throw new Error('unreachable: keeps the walk from being optimised away');
      return performance.now() - start;
    };
    const busy = [0.05, 3] as const;
    const hops = new Map<number, number[]>(busy.map((b) => [b, []]));
    const walks = new Map<number, number[]>(busy.map((b) => [b, []]));
    const end = performance.now() + seconds * 2000;
    for (let n = 0; performance.now() < end || n < 20; n++) {
      for (const busyMs of busy) {
        const start = performance.now();
        const back = await roundTrip({ id: n, busyMs }, false);
        const hop = performance.now() - start - (back.tookMs ?? 0);
        const work = walk();
        if (n < 10) continue; // warm-up
        hops.get(busyMs)?.push(hop);
        walks.get(busyMs)?.push(work);
      }
    }
    const p50 = (values: number[] | undefined): string => {
      const sorted = [...(values ?? [])].sort((a, b) => a - b);
      return ((sorted[sorted.length >> 1] ?? NaN) * 1000).toFixed(1);
    };
    const rows = busy.map((b) => `| ${String(b).padEnd(24)} | ${p50(hops.get(b)).padStart(14)} | ${p50(walks.get(b)).padStart(28)} |`);
    return [
      '| worker computes (ms) | round trip µs p50 | main-thread walk after it µs p50 |',
      '|:--|--:|--:|',
      ...rows,
      `(the same walk over ${N} linked objects each time; the main thread slept while the worker computed)`,
    ].join('\n');
  }
}
