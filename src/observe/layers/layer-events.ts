import { trace, type Context } from '@opentelemetry/api';
import type { LayerSnapshot } from './model-profiler.js';

/**
 * On a sampled batch that is traced, add one span event per observed layer to the batch span:
 * the layer's mean duration and share of the forward pass from the profiler's latest window
 * (the sampled batch itself is profiled in the current window, whose figures come later). The
 * batch span then answers "which layers take the time" next to the request it served.
 */
export function addLayerEvents(ctx: Context | undefined, snapshot: LayerSnapshot): void {
  const span = ctx ? trace.getSpan(ctx) : undefined;
  if (!span?.isRecording() || snapshot.window === null) return;
  span.setAttribute('layerscope.profiled', true);
  for (const layer of snapshot.layers) {
    if (!layer.observed || layer.lastDurationMs === null) continue;
    span.addEvent(`layer ${layer.layer}`, {
      'layerscope.layer': layer.layer,
      'layerscope.layer.duration_ms': layer.lastDurationMs,
      'layerscope.layer.share': layer.share ?? 0,
      'layerscope.profile.window': snapshot.window.index,
    });
  }
}
