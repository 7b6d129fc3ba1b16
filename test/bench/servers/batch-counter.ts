/**
 * Preloaded into the real layerscope process (`node --import <this> bin/layerscope.js serve ...`).
 * Exits the server if the harness dies (IPC disconnect). Only if the harness asks
 * (`{type: 'subscribe'}`, when the server has no `/v2/models/<m>/stats`) does it subscribe to the
 * batcher's `layerscope:batch` diagnostics channel and count executions and rows, answered to
 * `{type: 'counters'}`.
 */
import diagnostics_channel from 'node:diagnostics_channel';

interface BatchMessage {
  readonly rows: number;
  readonly requests: number;
}

const counters = {
  type: 'counters',
  subscribed: false,
  executions: 0,
  rows: 0,
  requests: 0,
};

function count(message: unknown): void {
  const batch = message as BatchMessage;
  counters.executions++;
  counters.rows += batch.rows;
  counters.requests += batch.requests;
}

if (process.send !== undefined) {
  process.on('message', (message: unknown) => {
    const type = (message as { type?: unknown }).type;
    if (type === 'subscribe' && !counters.subscribed) {
      diagnostics_channel.subscribe('layerscope:batch', count);
      counters.subscribed = true;
      process.send?.({ type: 'subscribe' });
    }
    if (type === 'counters') process.send?.(counters);
  });
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  // The channel must not keep the server alive once it has drained and wants to exit.
  setImmediate(() => process.channel?.unref());
}
