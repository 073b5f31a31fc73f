/**
 * `cpim-gateway db backup` for PostgreSQL (issue 15; docs/storage-postgres.md, "Backup"): a
 * plain SQL dump made by PostgreSQL's own pg_dump, which takes a consistent snapshot while the
 * gateway keeps writing (PostgreSQL manual, "SQL Dump"). The program is looked for on PATH, then
 * in Debian's /usr/lib/postgresql/<major>/bin (newest major first: pg_dump must be at least the
 * server's version). The password goes in PGPASSWORD, never on the command line.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StoreError, reasonOf } from '../errors.js';
import { splitPassword } from './location.js';

const DEBIAN_ROOT = '/usr/lib/postgresql';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where pg_dump is: PATH first, then Debian's versioned folders, newest first; null if nowhere. */
export function findPgDump(
  env: NodeJS.ProcessEnv = process.env,
  debianRoot: string = DEBIAN_ROOT,
): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, 'pg_dump'))) return join(dir, 'pg_dump');
  }
  let majors: string[];
  try {
    majors = readdirSync(debianRoot).filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const candidate = join(debianRoot, major, 'bin', 'pg_dump');
    if (executable(candidate)) return candidate;
  }
  return null;
}

/** Dumps the database at `url` as SQL into `target`; rejects with a StoreError that says why. */
export async function dumpDatabase(url: string, location: string, target: string): Promise<void> {
  const pgDump = findPgDump();
  if (pgDump === null)
    throw new StoreError(
      'failed',
      location,
      `cannot back up ${location}: the backup of a PostgreSQL store needs pg_dump, found neither on PATH nor under ${DEBIAN_ROOT}/*/bin; install the PostgreSQL client (Debian: postgresql-client-15) or run pg_dump yourself`,
    );
  const { url: dbname, password } = splitPassword(url);
  const env = { ...process.env, ...(password === undefined ? {} : { PGPASSWORD: password }) };
  await new Promise<void>((resolve, reject) => {
    execFile(
      pgDump,
      ['--format=plain', '--no-owner', '--no-privileges', `--file=${target}`, `--dbname=${dbname}`],
      { env, maxBuffer: 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (err === null) return resolve();
        const why = stderr.trim().split('\n')[0] ?? reasonOf(err);
        reject(
          new StoreError(
            'failed',
            location,
            `cannot back up ${location} to ${target}: pg_dump: ${why || reasonOf(err)}`,
            {
              cause: err,
            },
          ),
        );
      },
    );
  });
}
