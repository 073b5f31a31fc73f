/**
 * The `cpim-gateway` command: start, check-config, inspect. Exit codes: 0 success (for
 * inspect: the document is accepted), 1 failure (inspect: rejected), 2 usage errors.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';
import { inspectDocument, detectType, DOCUMENT_TYPES, type DocumentType } from './inspect.js';

const USAGE = `Usage: cpim-gateway <command> [options]

Commands:
  start [--config FILE]            run the gateway (FILE defaults to ./gateway.config.yaml,
                                   else the embedded defaults)
  check-config [FILE]              check a configuration file and report every problem
  inspect [--type T] [--lenient] FILE
                                   parse a Message/CPIM (cpim), PIDF (pidf) or Hudson
                                   application/presence (presence) document and print it as
                                   JSON; FILE "-" reads standard input; the type is detected
                                   when not given
  help                             this text

Exit codes: 0 ok / accepted, 1 failed / rejected, 2 usage error.`;

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly readStdin: () => Uint8Array;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0),
};

class UsageError extends Error {}

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'check-config':
        return await checkConfigCommand(rest, io);
      case 'inspect':
        return inspect(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE + '\n');
        return 0;
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`cpim-gateway: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr(`cpim-gateway: invalid configuration\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function start(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string', short: 'c' } },
    strict: true,
  });
  const { runGateway } = await import('./main.js');
  return runGateway(values.config);
}

async function checkConfigCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError('check-config takes at most one file');
  const { readConfig } = await import('./main.js');
  const { config, source } = readConfig(positionals[0]);
  io.stdout(
    `ok: ${source}\n` +
      `  domains: ${config.gateway.domains.join(', ')}\n` +
      `  imtp: ${listenerLine(config.hub.imtp)}\n` +
      `  pitp: ${listenerLine(config.hub.pitp)}\n` +
      `  adapters: ${config.adapters.map((a) => a.id ?? a.type).join(', ') || 'none'}\n`,
  );
  return 0;
}

function listenerLine(l: { enabled: boolean; host: string; port: number; tls?: unknown }): string {
  return l.enabled ? `${l.host}:${l.port}${l.tls ? ' (TLS)' : ''}` : 'off';
}

function inspect(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { type: { type: 'string', short: 't' }, lenient: { type: 'boolean' } },
  });
  if (positionals.length !== 1)
    throw new UsageError('inspect takes exactly one FILE (or - for standard input)');
  const type = values.type;
  if (type !== undefined && !(DOCUMENT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`--type must be one of ${DOCUMENT_TYPES.join(', ')}`);
  }
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? io.readStdin() : readFileSync(file);
  } catch (err) {
    io.stderr(`cpim-gateway: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  const report = inspectDocument(bytes, (type as DocumentType | undefined) ?? detectType(bytes), {
    lenient: values.lenient ?? false,
  });
  io.stdout(JSON.stringify(report, null, 1) + '\n');
  if (report.result === 'reject' || report.decision === 'reject') {
    io.stderr(`rejected: ${report.reason ?? 'invalid'}${report.rule ? ` (${report.rule})` : ''}\n`);
    return 1;
  }
  return 0;
}
