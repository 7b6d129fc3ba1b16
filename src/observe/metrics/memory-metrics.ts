import { Gauge, type Registry } from 'prom-client';
import { readModelFile } from '../../onnx/graph-reader.js';
import { channels, subscribe, type ModelStateEvent } from '../events.js';
import { queryGpuMemory, type GpuMemory } from '../memory/gpu-memory.js';

export interface MemoryMetricsOptions {
  /** GPU query (tests inject one); default runs nvidia-smi. */
  readonly queryGpus?: () => Promise<GpuMemory[]>;
  /** How long a GPU reading is reused between scrapes. */
  readonly gpuCacheMs?: number;
  readonly onError?: (err: unknown) => void;
}

/**
 * Memory by kind: model weights per model version (initializer bytes read from the ONNX file),
 * GPU memory per device when an NVIDIA GPU is present (absent → no series). Process RSS and heap
 * come from the default process metrics (`process_resident_memory_bytes`, `nodejs_heap_*`).
 */
export class MemoryMetrics {
  readonly #weights: Gauge<'model' | 'version'>;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #onError: (err: unknown) => void;

  constructor(registry: Registry, options: MemoryMetricsOptions = {}) {
    const registers = [registry];
    this.#onError = options.onError ?? (() => {});
    this.#weights = new Gauge({ name: 'layerscope_model_weights_bytes', help: 'Bytes of weights (ONNX initializers) of the model version.', labelNames: ['model', 'version'], registers });
    const query = options.queryGpus ?? (() => queryGpuMemory());
    const cacheMs = options.gpuCacheMs ?? 5000;
    let cached: { at: number; gpus: Promise<GpuMemory[]> } | undefined;
    const gpus = (): Promise<GpuMemory[]> => {
      const now = Date.now();
      if (!cached || now - cached.at > cacheMs) cached = { at: now, gpus: query().catch(() => []) };
      return cached.gpus;
    };
    for (const [name, help, pick] of [
      ['layerscope_gpu_memory_used_bytes', 'GPU memory in use, per device (from nvidia-smi).', (g: GpuMemory) => g.usedBytes],
      ['layerscope_gpu_memory_total_bytes', 'GPU memory in total, per device (from nvidia-smi).', (g: GpuMemory) => g.totalBytes],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['gpu_uuid', 'gpu'],
        registers,
        async collect() {
          this.reset();
          for (const g of await gpus()) this.set({ gpu_uuid: g.uuid, gpu: String(g.index) }, pick(g));
        },
      });
    }
  }

  start(): this {
    this.#unsubscribe.push(subscribe<ModelStateEvent>(channels.modelState, (e) => this.#modelState(e), this.#onError));
    return this;
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #modelState(e: ModelStateEvent): void {
    const labels = { model: e.model, version: e.version };
    if (e.state === 'READY' && e.path !== undefined) {
      readModelFile(e.path).then(
        (graph) => this.#weights.set(labels, graph.weightBytes),
        (err: unknown) => this.#onError(err),
      );
    } else if (e.state === 'UNAVAILABLE') {
      this.#weights.remove(labels);
    }
  }
}
