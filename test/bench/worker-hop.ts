/**
 * Micro-benchmark: the cost of one main → worker → main round trip (what every layerscope
 * execution pays on top of session.run), with and without transferring a buffer, against a
 * same-thread `await setImmediate` hop. Prints µs per round trip and CPU µs per round trip.
 *   node dist/test/bench/worker-hop.js [--seconds 2]
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

interface Hop {
  readonly id: number;
  readonly buffer?: ArrayBuffer;
}

if (!isMainThread) {
  parentPort?.on('message', (hop: Hop) => {
    if (hop.buffer !== undefined) parentPort?.postMessage(hop, [hop.buffer]);
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
  process.stdout.write(`${lines.join('\n')}\n(process CPU counts both threads)\n`);
  await worker.terminate();
}
