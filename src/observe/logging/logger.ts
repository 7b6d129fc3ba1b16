import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  /** Where JSON lines go; default stdout. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
  /** Extra fields merged into every line (e.g. trace ids from the tracing module). */
  readonly mixin?: () => Record<string, unknown>;
}

/** pino JSON logger: one line per event, ISO time, `msg` text, never pretty in production. */
export function createLogger(options: LoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level,
      base: { service: 'layerscope' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.mixin ? { mixin: options.mixin } : {}),
    },
    options.destination,
  );
}
