import type { Metric, Registry } from 'prom-client';

/** A sample as prom-client's Registry serialises it (lib/registry.js `getMetricsAsString`). */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Non-cumulative counts per bucket, +Inf last. */
  readonly counts: Float64Array;
  sum: number;
}

export interface ActivationHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Finite upper bounds, strictly ascending (negative allowed); +Inf is implicit. */
  readonly buckets: ArrayLike<number>;
  readonly registers: readonly Registry[];
}

/**
 * A Prometheus histogram fed with bucket counts computed in bulk: observing every activation
 * element through prom-client's Histogram.observe (a label hash and a bucket search per call)
 * costs far too much for millions of elements, so the caller bins a whole tensor in one pass
 * (observe/activations/layer-summary.ts) and adds the counts here.
 *
 * prom-client needs no base class for this: Registry.registerMetric keeps any object with a
 * `name`, and `metrics()` serialises what its `get()` returns — `{name, help, type, values,
 * aggregator}`, each value `{metricName, labels, value}` — exactly as it does for its own
 * Histogram: `<name>_bucket{…,le="…"}` cumulative, ending with `le="+Inf"`, then `_sum`, `_count`.
 */
export class ActivationHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: ActivationHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    this.#bounds = Array.from(options.buckets);
    for (let i = 1; i < this.#bounds.length; i++) {
      if ((this.#bounds[i] as number) <= (this.#bounds[i - 1] as number)) throw new RangeError(`${this.name}: buckets must be strictly ascending`);
    }
    // prom-client types registerMetric() for its own four classes; it accepts any such object.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  #key(labels: Readonly<Record<string, string>>): string {
    return this.#labelNames.map((n) => labels[n] ?? '').join('\u0000');
  }

  /**
   * Adds a batch of observations: `counts[i]` values fell in bucket i (non-cumulative; the last
   * entry is the +Inf bucket) and their values summed to `sum`.
   */
  add(labels: Readonly<Record<string, string>>, counts: ArrayLike<number>, sum: number): void {
    if (counts.length !== this.#bounds.length + 1) {
      throw new RangeError(`${this.name}: expected ${this.#bounds.length + 1} bucket counts, got ${counts.length}`);
    }
    const series = this.#ensure(labels);
    for (let i = 0; i < counts.length; i++) series.counts[i]! += counts[i] as number;
    series.sum += sum;
  }

  /** Creates the series at zero if absent (so rate() starts from the first scrape). */
  zero(labels: Readonly<Record<string, string>>): void {
    this.#ensure(labels);
  }

  #ensure(labels: Readonly<Record<string, string>>): Series {
    const key = this.#key(labels);
    let series = this.#series.get(key);
    if (!series) {
      const own: Record<string, string> = {};
      for (const n of this.#labelNames) own[n] = labels[n] ?? '';
      series = { labels: own, counts: new Float64Array(this.#bounds.length + 1), sum: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** Drops every series whose labels include all of `match` (e.g. one model version). */
  removeMatching(match: Readonly<Record<string, string>>): void {
    const entries = Object.entries(match);
    for (const [key, series] of this.#series) {
      if (entries.every(([k, v]) => series.labels[k] === v)) this.#series.delete(key);
    }
  }

  reset(): void {
    this.#series.clear();
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i] as number;
        values.push({ metricName: bucket, labels: { ...series.labels, le }, value: cumulative });
      });
      cumulative += series.counts[this.#bounds.length] as number;
      values.push({ metricName: bucket, labels: { ...series.labels, le: '+Inf' }, value: cumulative });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
