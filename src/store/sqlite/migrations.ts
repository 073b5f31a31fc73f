/**
 * The SQLite schema, as versioned migrations in code (issue 15; docs/storage.md, "Schema and
 * migrations"). Each migration is applied in its own transaction together with the new version in
 * `schema_version`, so a crash leaves the database at one version or the next, never between. A
 * database whose version is higher than the last one here was made by a newer gateway: it is not
 * opened (this program does not know what the newer tables mean).
 *
 * Every query of src/store/sqlite/statements.ts has an index: history by (conversation, seq) and
 * by time, offline by (inbox, seq) and by (expires, seq), mappings by (namespace, key), queues by
 * (queue, seq). AUTOINCREMENT keeps a seq from ever being handed out twice, so a cursor a web page
 * holds never points at a newer message after the newest ones were pruned.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'history, offline, mappings, queues',
    sql: `
      CREATE TABLE history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        conversation TEXT NOT NULL,
        time INTEGER NOT NULL,
        source TEXT NOT NULL,
        destination TEXT NOT NULL,
        content_type TEXT NOT NULL,
        payload BLOB NOT NULL,
        UNIQUE (conversation, id)
      );
      CREATE INDEX history_by_conversation ON history (conversation, seq);
      CREATE INDEX history_by_time ON history (time);
      CREATE TABLE offline (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        inbox TEXT NOT NULL,
        sender TEXT NOT NULL,
        time INTEGER NOT NULL,
        expires INTEGER NOT NULL,
        headers TEXT NOT NULL,
        payload BLOB NOT NULL,
        UNIQUE (inbox, id)
      );
      CREATE INDEX offline_by_inbox ON offline (inbox, seq);
      CREATE INDEX offline_by_expiry ON offline (expires, seq);
      CREATE TABLE mappings (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) WITHOUT ROWID;
      CREATE TABLE queues (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        queue TEXT NOT NULL,
        id TEXT NOT NULL,
        time INTEGER NOT NULL,
        data BLOB NOT NULL,
        UNIQUE (queue, id)
      );
      CREATE INDEX queues_by_order ON queues (queue, seq);
    `,
  },
];

/** The schema version this program writes. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The version recorded in the database; 0 for a new (empty) one. */
export function schemaVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as
    { version: number | null } | undefined;
  return row?.version ?? 0;
}

/**
 * Applies the migrations above `current`, each in a transaction with its version. Returns the
 * versions applied. The caller has checked that `current` is not newer than LATEST_VERSION.
 */
export function migrate(db: Database.Database, current: number): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)',
      );
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, applied) VALUES (?, ?)').run(m.version, Date.now());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
