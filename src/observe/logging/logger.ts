import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  /** Where JSON lines go; default stdout. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/** `trace_id` / `span_id` of the active span, so a log line can be found from its trace. */
export function traceFields(): Record<string, string> {
  const sc = trace.getSpan(context.active())?.spanContext();
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/** pino JSON logger: one line per event, ISO time, `msg` text, never pretty in production. */
export function createLogger(options: LoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level,
      base: { service: 'layerscope' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    options.destination,
  );
}
