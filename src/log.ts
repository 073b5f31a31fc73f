/**
 * Logging: one pino root logger, made in main.ts; every component gets a child bound to its
 * name (docs/architecture.md part 9). Constant messages, variables in fields, message bodies only at
 * `trace`, and secrets redacted wherever they appear in a logged object.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  'key',
  '*.key',
  '*.*.key',
  'authorization',
  '*.authorization',
  'sasl',
  '*.sasl',
  'credentials',
  '*.credentials',
];

export interface LogOptions {
  readonly level: LevelWithSilent;
  /** Where lines go; standard output when absent. Tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

export function createRootLogger(options: LogOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'cpim-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A child for one component, e.g. `component(log, 'hub.imtp')`. */
export function component(parent: Logger, name: string, bindings: Record<string, unknown> = {}): Logger {
  return parent.child({ component: name, ...bindings });
}
