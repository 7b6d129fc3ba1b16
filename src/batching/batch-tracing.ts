import { context, trace, SpanStatusCode, type Context, type Link, type Span } from '@opentelemetry/api';
import type { RunResult } from '../runtime/runner.js';

const tracer = trace.getTracer('layerscope.batching');

/** Wall-clock now in epoch milliseconds with sub-millisecond precision (span timestamps). */
const wallNowMs = (): number => performance.timeOrigin + performance.now();

/** One member of a batch, as tracing sees it. */
export interface TracedMember {
  /** The request's context (its `infer` span is the active span in it). */
  readonly ctx: Context | undefined;
  readonly queueNs: number;
}

/** The spans of one executing batch; end() closes them with the outcome. */
export interface BatchTrace {
  /** Context whose active span is the batch span (for observers that attach per-layer spans). */
  readonly context: Context;
  end(outcome: { result: RunResult } | { error: unknown }): void;
}

function recording(ctx: Context | undefined): boolean {
  return ctx !== undefined && trace.getSpan(ctx)?.isRecording() === true;
}

/**
 * Start the spans of a batch (DESIGN.md §1, issue 5): a `queue` span per traced member (enqueue →
 * dispatch), a `batch <model>` span linked to every member's request span and parented by the
 * first traced member (so it lives in that request's trace), and a `compute` child span. Returns
 * undefined, and costs nothing more, when no member is being traced.
 */
export function startBatchTrace(model: string, version: string, provider: string, rows: number, members: readonly TracedMember[]): BatchTrace | undefined {
  if (!members.some((m) => recording(m.ctx))) return undefined;
  const now = wallNowMs();
  const links: Link[] = [];
  let parent: Context | undefined;
  for (const member of members) {
    const spanContext = member.ctx ? trace.getSpanContext(member.ctx) : undefined;
    if (!member.ctx || !spanContext) continue;
    links.push({ context: spanContext });
    if (!recording(member.ctx)) continue;
    parent ??= member.ctx;
    tracer.startSpan('queue', { startTime: now - member.queueNs / 1e6, attributes: { 'layerscope.queue.ns': member.queueNs } }, member.ctx).end(now);
  }
  const batch = tracer.startSpan(
    `batch ${model}`,
    {
      links,
      startTime: now,
      attributes: {
        'layerscope.model': model,
        'layerscope.model_version': version,
        'layerscope.batch.size': rows,
        'layerscope.batch.requests': members.length,
        'layerscope.execution_provider': provider,
      },
    },
    parent ?? context.active(),
  );
  const batchContext = trace.setSpan(parent ?? context.active(), batch);
  const compute: Span = tracer.startSpan('compute', { startTime: now }, batchContext);
  return {
    context: batchContext,
    end(outcome) {
      const end = wallNowMs();
      if ('result' in outcome) {
        const { timings, instance } = outcome.result;
        compute.setAttributes({
          'layerscope.compute.input_ns': timings.inputNs,
          'layerscope.compute.infer_ns': timings.inferNs,
          'layerscope.compute.output_ns': timings.outputNs,
        });
        // The phases ran back to back at the end of the span, in the instance's worker.
        const outputStart = end - timings.outputNs / 1e6;
        const inferStart = outputStart - timings.inferNs / 1e6;
        compute.addEvent('input', { 'layerscope.duration_ns': timings.inputNs }, inferStart - timings.inputNs / 1e6);
        compute.addEvent('infer', { 'layerscope.duration_ns': timings.inferNs }, inferStart);
        compute.addEvent('output', { 'layerscope.duration_ns': timings.outputNs }, outputStart);
        batch.setAttribute('layerscope.instance', instance);
      } else {
        const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        for (const span of [compute, batch]) {
          if (outcome.error instanceof Error) span.recordException(outcome.error);
          span.setStatus({ code: SpanStatusCode.ERROR, message });
        }
      }
      compute.end(end);
      batch.end(end);
    },
  };
}
