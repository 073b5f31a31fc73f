/**
 * What a person sees when a command fails (issue 14, "Logs for people and for machines"): one
 * line that names the problem and says what to do, on standard error; the stack only when the
 * command ran with `--log-level debug` (or `trace`). docs/cli.md lists these lines.
 */
import { ConfigError, ListenError } from '../errors.js';
import { StoreError } from '../store/errors.js';
import { CliFailure, UsageError } from './common.js';
import { FILE_REASONS, listenHint } from './hints.js';

/** Levels at which a failure also shows its stack. */
const DETAIL_LEVELS = new Set(['debug', 'trace']);

/**
 * `--log-level LEVEL` (or `--log-level=LEVEL`) given anywhere before `--`: the level, and the
 * arguments without it. Every command accepts the option; `start` also sets its logger with it.
 */
export function takeLogLevel(args: readonly string[]): { level: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let level: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a === '--log-level') {
      if (i + 1 >= args.length) throw new UsageError('--log-level needs a level (for example debug)');
      level = args[++i];
    } else if (a.startsWith('--log-level=')) level = a.slice('--log-level='.length);
    else rest.push(a);
  }
  return { level, rest };
}

export function wantsStack(level: string | undefined): boolean {
  return level !== undefined && DETAIL_LEVELS.has(level);
}

/** The configuration's problems: a line saying what to do, then one line per problem. */
function configLines(e: ConfigError): string {
  const [only] = e.issues;
  if (e.issues.length === 1 && only!.path === '' && only!.message.startsWith('cannot read the file')) {
    const code = /\b(E[A-Z]+)\b/.exec(only!.message)?.[1] ?? '';
    const reason = FILE_REASONS[code] ?? only!.message.slice('cannot read the file: '.length);
    return `cannot read the configuration file ${e.source}: ${reason}\n`;
  }
  const n = e.issues.length;
  const check = e.source.startsWith('(')
    ? 'cpim-gateway check-config'
    : `cpim-gateway check-config ${e.source}`;
  return (
    `${e.source} has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} and run "${check}" to check again:\n` +
    e.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}\n`).join('')
  );
}

/** Node's parseArgs messages, shortened to the part a person needs. */
function parseArgsMessage(err: Error): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (unknown !== null) return `unknown option ${unknown[1]}`;
  return err.message.replace(/\. To specify a positional argument.*$/s, '');
}

export interface Reported {
  readonly code: number;
  readonly text: string;
}

/**
 * The exit code and standard-error text for an error that ended a command: 2 for wrong
 * arguments, 1 for everything else. Unexpected errors get their stack only when `stack` is set.
 */
export function report(err: unknown, stack: boolean): Reported {
  const e = err as Error & { code?: string };
  if (err instanceof UsageError || e?.code?.startsWith('ERR_PARSE_ARGS')) {
    const message = err instanceof UsageError ? err.message : parseArgsMessage(e);
    return { code: 2, text: `cpim-gateway: ${message} (see "cpim-gateway help")\n` };
  }
  if (err instanceof CliFailure) return { code: 1, text: `cpim-gateway: ${err.message}\n` };
  if (err instanceof ConfigError) return { code: 1, text: `cpim-gateway: ${configLines(err)}` };
  if (err instanceof ListenError) return { code: 1, text: `${err.message}; ${listenHint(err)}\n` };
  // The store's lines already name the file and say what to do (src/store/errors.ts).
  if (err instanceof StoreError) return { code: 1, text: `cpim-gateway: ${err.message}\n` };
  const message = e instanceof Error ? e.message : String(err);
  return {
    code: 1,
    text: stack
      ? `cpim-gateway: ${message}\n${e instanceof Error ? (e.stack ?? '') : ''}\n`
      : `cpim-gateway: ${message} (run again with --log-level debug to see where it failed)\n`,
  };
}
