/**
 * `cpim-gateway db migrate | backup FILE | check [--config FILE]` (issue 15; docs/cli.md,
 * docs/storage.md): the store of the configuration (the same file `start` reads: FILE, else
 * ./gateway.config.yaml, else the demo's) looked after without starting the gateway.
 *
 * - migrate: applies pending migrations and prints the schema version;
 * - backup FILE: a consistent copy of the store (SQLite's online backup: the gateway may run);
 * - check: integrity and row counts; exit 1 when a problem is found.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../log.js';
import { openStore, type Store } from '../store/index.js';
import { CliFailure, UsageError, type CliIo } from './common.js';

const USAGE = 'db needs one of: migrate, backup FILE, check';

async function withStore<T>(
  configPath: string | undefined,
  migrate: boolean,
  run: (store: Store) => Promise<T>,
): Promise<T> {
  const { readConfig } = await import('../main.js');
  const { config, source } = readConfig(configPath);
  // Only what goes wrong is worth a line here: the command prints its own result.
  const log = createRootLogger({ level: 'warn', format: 'json' });
  const store = await openStore(config.storage, { log, migrate });
  if (store === null)
    throw new CliFailure(
      `storage.backend is none in ${source}: the gateway keeps nothing, there is no store`,
    );
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export async function dbCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { config: { type: 'string', short: 'c' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...rest] = positionals;
  switch (action) {
    case 'migrate': {
      if (rest.length > 0) throw new UsageError('db migrate takes no file');
      const check = await withStore(values.config, true, (s) =>
        s.check().then((c) => ({ c, at: s.location })),
      );
      io.stdout(`${check.at}: schema version ${check.c.schemaVersion}, up to date\n`);
      return 0;
    }
    case 'backup': {
      if (rest.length !== 1) throw new UsageError('db backup needs the file to write (db backup FILE)');
      const target = rest[0]!;
      if (existsSync(target))
        throw new CliFailure(`${target} exists: name a new file (a backup never overwrites one)`);
      const from = await withStore(values.config, false, async (s) => {
        await s.backup(target);
        return s.location;
      });
      io.stdout(`backed up ${from} to ${target}\n`);
      return 0;
    }
    case 'check': {
      if (rest.length > 0) throw new UsageError('db check takes no file');
      const { c, at } = await withStore(values.config, false, (s) =>
        s.check().then((c) => ({ c, at: s.location })),
      );
      io.stdout(
        `${at}: schema version ${c.schemaVersion}, ${c.ok ? 'no problem found' : `${c.problems.length} problem${c.problems.length === 1 ? '' : 's'}`}\n` +
          c.problems.map((p) => `  problem: ${p}\n`).join('') +
          Object.entries(c.counts)
            .map(([table, n]) => `  ${table}: ${n}\n`)
            .join(''),
      );
      if (!c.ok)
        io.stderr(
          `cpim-gateway: the store ${at} is damaged: restore a backup (docs/storage.md, "Backup and restore")\n`,
        );
      return c.ok ? 0 : 1;
    }
    case undefined:
      throw new UsageError(USAGE);
    default:
      throw new UsageError(`unknown db action "${action}": ${USAGE}`);
  }
}
