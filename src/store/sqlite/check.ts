/**
 * `cpim-gateway db check` for SQLite (docs/storage.md): `PRAGMA integrity_check`, the schema
 * version, the rows of each table. A damaged page may make a query fail outright: that is a
 * problem found and reported, not a failure of the check.
 */
import type Database from 'better-sqlite3';
import type { StoreCheck } from '../types.js';
import { LATEST_VERSION, schemaVersion } from './migrations.js';

export function checkDatabase(db: Database.Database): StoreCheck {
  const problems: string[] = [];
  const counts: Record<string, number> = {};
  let version = 0;
  // A damaged page may make a query fail outright: that is a problem found, not a crash.
  const attempt = (what: () => void): void => {
    try {
      what();
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  attempt(() => {
    for (const row of db.pragma('integrity_check') as { integrity_check: string }[])
      if (row.integrity_check !== 'ok') problems.push(row.integrity_check);
  });
  attempt(() => {
    version = schemaVersion(db);
    if (version > LATEST_VERSION)
      problems.push(`schema version ${version} is newer than this gateway's ${LATEST_VERSION}`);
  });
  for (const table of ['history', 'offline', 'mappings', 'queues'])
    attempt(() => {
      counts[table] = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    });
  return { ok: problems.length === 0, schemaVersion: version, problems, counts };
}
