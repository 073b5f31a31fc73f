/**
 * The gateway's own commands: `start`, `check-config` and `inspect` (moved here from src/cli.ts,
 * which now only dispatches).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { detectType, DOCUMENT_TYPES, inspectDocument, type DocumentType } from '../inspect.js';
import { UsageError, type CliIo } from './common.js';
import { unreadable } from './hints.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

/**
 * `start [--config FILE] [--log-format auto|json|pretty]`; `--log-level` was taken off by the
 * dispatcher (every command accepts it) and comes as `logLevel`. Both override the file's `log:`.
 */
export async function start(args: readonly string[], logLevel?: string): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string', short: 'c' }, 'log-format': { type: 'string' } },
    strict: true,
  });
  const format = values['log-format'];
  if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}`);
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const { runGateway } = await import('../main.js');
  return runGateway(values.config, {
    ...(logLevel === undefined ? {} : { logLevel: logLevel as (typeof LOG_LEVELS)[number] }),
    ...(format === undefined ? {} : { logFormat: format as (typeof LOG_FORMATS)[number] }),
  });
}

export async function checkConfigCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError('check-config takes at most one file');
  const { readConfig } = await import('../main.js');
  const { config, source, demo } = readConfig(positionals[0]);
  io.stdout(
    `ok: ${source}\n` +
      (demo
        ? '  no configuration file: `start` runs the built-in demo (loopback only, published demo\n' +
          '  credentials, never for a network); `cpim-gateway init` writes a configuration to start from\n'
        : '') +
      `  domains: ${config.gateway.domains.join(', ')}\n` +
      `  imtp: ${listenerLine(config.hub.imtp)}\n` +
      `  pitp: ${listenerLine(config.hub.pitp)}\n` +
      `  peers: ${config.peers.map((p) => `${p.domains.join(', ')} at ${p.host}`).join('; ') || 'none'}` +
      `${config.federation.dns.enabled ? ' (+ DNS SRV discovery)' : ''}\n` +
      `  adapters: ${config.adapters.map((a) => a.id ?? a.type).join(', ') || 'none'}\n`,
  );
  return 0;
}

function listenerLine(l: { enabled: boolean; host: string; port: number; tls?: unknown }): string {
  return l.enabled ? `${l.host}:${l.port}${l.tls ? ' (TLS)' : ''}` : 'off';
}

export function inspect(args: readonly string[], io: CliIo): number {
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
    io.stderr(`cpim-gateway: ${unreadable(undefined, file, err)}\n`);
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
