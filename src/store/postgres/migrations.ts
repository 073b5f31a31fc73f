/**
 * The PostgreSQL schema, as versioned migrations in code (issue 15; docs/storage-postgres.md,
 * "Schema and migrations"): the same tables and indexes as the SQLite backend
 * (../sqlite/migrations.ts), in PostgreSQL's types: `bigserial` seqs (never handed out twice, so a
 * cursor a web page holds never points at a newer message), `bigint` milliseconds, `bytea`
 * payloads (the Message/CPIM octets unchanged), and the headers as JSON text.
 *
 * Each migration runs in its own transaction together with its row in `schema_version`, so a
 * crash leaves the database at one version or the next. The transaction first takes an advisory
 * lock, so two gateways starting on one database (the shared state of several nodes) migrate one
 * after the other, and the second sees the first's work. A database whose version is above the
 * last one here was made by a newer gateway: it is not opened.
 */
import type pg from 'pg';

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
        seq bigserial PRIMARY KEY,
        id text NOT NULL,
        conversation text NOT NULL,
        time bigint NOT NULL,
        source text NOT NULL,
        destination text NOT NULL,
        content_type text NOT NULL,
        payload bytea NOT NULL,
        UNIQUE (conversation, id)
      );
      CREATE INDEX history_by_conversation ON history (conversation, seq);
      CREATE INDEX history_by_time ON history (time);
      CREATE TABLE offline (
        seq bigserial PRIMARY KEY,
        id text NOT NULL,
        inbox text NOT NULL,
        sender text NOT NULL,
        time bigint NOT NULL,
        expires bigint NOT NULL,
        headers text NOT NULL,
        payload bytea NOT NULL,
        UNIQUE (inbox, id)
      );
      CREATE INDEX offline_by_inbox ON offline (inbox, seq);
      CREATE INDEX offline_by_expiry ON offline (expires, seq);
      CREATE TABLE mappings (
        namespace text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (namespace, key)
      );
      CREATE TABLE queues (
        seq bigserial PRIMARY KEY,
        queue text NOT NULL,
        id text NOT NULL,
        time bigint NOT NULL,
        data bytea NOT NULL,
        UNIQUE (queue, id)
      );
      CREATE INDEX queues_by_order ON queues (queue, seq);
    `,
  },
];

/** The schema version this program writes. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The tables `db check` counts. */
export const TABLES = ['history', 'offline', 'mappings', 'queues'] as const;

/** Any constant: the advisory lock that serializes migrations of one database (one per database). */
const MIGRATION_LOCK = 0x63_70_69_6d; // "cpim"

const CREATE_VERSION_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied bigint NOT NULL)';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The version recorded in the database; 0 for a new (empty) one. */
export async function schemaVersion(db: Queryable): Promise<number> {
  const table = await db.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (table.rows[0]?.t == null) return 0;
  const row = await db.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
  return row.rows[0]?.v ?? 0;
}

/**
 * Applies the migrations the database lacks, each in a transaction with its version, under the
 * advisory lock. Returns the version found before and the versions applied; `check(version)` runs
 * under the lock before anything changes (it throws for a newer schema).
 */
export async function migrate(
  client: pg.ClientBase,
  check: (version: number) => void,
): Promise<{ readonly from: number; readonly applied: number[] }> {
  const applied: number[] = [];
  let from = -1;
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const current = await schemaVersion(client);
      if (from < 0) from = current;
      check(current);
      const next = MIGRATIONS.find((m) => m.version > current);
      if (next === undefined) {
        await client.query('COMMIT');
        return { from, applied };
      }
      await client.query(CREATE_VERSION_TABLE);
      await client.query(next.sql);
      await client.query('INSERT INTO schema_version (version, applied) VALUES ($1, $2)', [
        next.version,
        Date.now(),
      ]);
      await client.query('COMMIT');
      applied.push(next.version);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
