/**
 * Logging: one pino root logger, made in main.ts; every component gets a child bound to its
 * name (docs/architecture.md part 9). Constant messages, variables in fields, message bodies only at
 * `trace`, and secrets redacted wherever they appear in a logged object.
 *
 * Two formats (issue 14, "Logs for people and for machines"): JSON lines for machines, and
 * pino-pretty's one-line text for a person at a terminal. Pretty printing runs as a pino
 * transport, in a worker thread, so formatting never costs the event loop that relays messages.
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

/** `json`: one JSON object per line. `pretty`: pino-pretty text, one line per event. */
export type LogFormat = 'json' | 'pretty';

/** `log.format: auto` is pretty when standard output is a terminal, JSON otherwise. */
export function resolveLogFormat(format: LogFormat | 'auto', stdoutIsTty: boolean): LogFormat {
  if (format !== 'auto') return format;
  return stdoutIsTty ? 'pretty' : 'json';
}

export interface LogOptions {
  readonly level: LevelWithSilent;
  /** `json` when absent. */
  readonly format?: LogFormat;
  /** Where JSON lines go; standard output when absent. Tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

/**
 * pino-pretty's options (they cross to the worker thread, so plain data only): the level, the
 * time, `[component]`, the message and the other fields on one line; colours only on a
 * terminal that has not asked for none (https://no-color.org).
 */
function prettyTransport(): DestinationStream {
  return pino.transport({
    target: 'pino-pretty',
    options: {
      destination: 1,
      sync: true,
      colorize: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,app,component',
      messageFormat: '{if component}[{component}] {end}{msg}',
      singleLine: true,
    },
  }) as DestinationStream;
}

export function createRootLogger(options: LogOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'cpim-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ??
      (options.format === 'pretty' ? prettyTransport() : pino.destination({ fd: 1, sync: false })),
  );
}

/** A child for one component, e.g. `component(log, 'hub.imtp')`. */
export function component(parent: Logger, name: string, bindings: Record<string, unknown> = {}): Logger {
  return parent.child({ component: name, ...bindings });
}
