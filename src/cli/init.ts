/**
 * `cpim-gateway init [FILE] [--domain D] [--force]`: writes the starting configuration of
 * src/config/starter.ts (default ./gateway.config.yaml), never over an existing file unless
 * `--force`. The file holds secrets, so it is created with mode 0600.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { domainName } from '../config/fields.js';
import { starterConfig } from '../config/starter.js';
import { CliFailure, UsageError, type CliIo } from './common.js';

export function initCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { force: { type: 'boolean', short: 'f' }, domain: { type: 'string' } },
  });
  if (positionals.length > 1) throw new UsageError('init takes at most one FILE');
  // The file `start` and `check-config` read when given none (main.ts DEFAULT_CONFIG_FILE; not
  // imported, so `init` does not load the gateway).
  const file = positionals[0] ?? 'gateway.config.yaml';
  const domain = domainName.safeParse(values.domain ?? 'localhost');
  if (!domain.success) throw new UsageError(`--domain "${values.domain}" is not a domain name`);
  const text = starterConfig({ domain: domain.data });
  try {
    // `wx` fails when the file exists: no window between a check and the write.
    writeFileSync(file, text, { mode: 0o600, flag: values.force ? 'w' : 'wx' });
    if (values.force) chmodSync(file, 0o600); // an overwritten file keeps its old mode otherwise
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliFailure(`${file} exists; give --force to overwrite it`);
    throw new CliFailure(`cannot write ${file}: ${(err as Error).message}`);
  }
  io.stdout(
    `wrote ${file}: the hub, web chat and email on 127.0.0.1 for ${domain.data}, with generated secrets.\n` +
      `Read its header for what to change before a network, then run:\n` +
      `  cpim-gateway check-config ${file}\n` +
      `  cpim-gateway start --config ${file}\n`,
  );
  return 0;
}
