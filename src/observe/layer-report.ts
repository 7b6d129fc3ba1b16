import type { LatestModelStats } from './activations/latest-stats.js';
import type { LayerSnapshot } from './layers/model-profiler.js';

/**
 * `GET /v2/models/{m}[/versions/{v}]/layers`: every layer of the model (module path at the
 * configured depth), whether it is observed, and the latest figures — per-layer latency from the
 * profiler's last window, activation statistics and drift from the last sampled batches.
 */
export function layerReport(model: string, version: string, latency: LayerSnapshot | undefined, activations: LatestModelStats | undefined): object {
  const names = new Set<string>([...(latency?.layers.map((l) => l.layer) ?? []), ...(activations?.layers.keys() ?? [])]);
  const byName = new Map(latency?.layers.map((l) => [l.layer, l]) ?? []);
  return {
    model,
    version,
    depth: latency?.depth ?? null,
    latency_window: latency?.window ?? null,
    model_drift_score: activations?.modelDrift ?? null,
    layers: [...names].map((name) => {
      const lat = byName.get(name);
      const act = activations?.layers.get(name);
      return {
        layer: name,
        observed: lat?.observed ?? act !== undefined,
        nodes: lat?.nodes ?? null,
        op_types: lat?.opTypes ?? [],
        latency: lat ? { last_duration_ms: lat.lastDurationMs, share: lat.share } : null,
        activation: act?.activation
          ? {
              mean: act.activation.mean,
              stddev: act.activation.stddev,
              min: act.activation.min,
              max: act.activation.max,
              zero_fraction: act.activation.zeroFraction,
              nan: act.activation.nan,
              inf: act.activation.inf,
              bytes_per_row: act.activation.bytesPerRow,
            }
          : null,
        drift_score: act?.drift ?? null,
      };
    }),
  };
}
