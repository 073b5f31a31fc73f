/**
 * The `storage:` section (issue 15, docs/storage.md): where the gateway keeps what must survive a
 * restart (history, messages for inboxes nobody listens on, adapters' maps, presence, outbound
 * queues), and for how long.
 */
import { z } from 'zod';
import { positiveInt } from './fields.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const storageSchema = z
  .strictObject({
    /**
     * `sqlite` (embedded, one file), `postgres` (a server the operator runs), or `none`: nothing
     * is kept, as before issue 15 (a send to an inbox nobody listens on is `no-listeners`).
     */
    backend: z
      .enum(['sqlite', 'postgres', 'none'])
      .prefault('sqlite')
      .describe('`sqlite` (one file at `path`), `postgres` (the server at `url`), or `none` (keep nothing)'),
    /** The SQLite file; `:memory:` keeps it in memory (tests). Relative to the working directory. */
    path: z
      .string()
      .min(1)
      .prefault('./data/gateway.sqlite')
      .describe('the SQLite database file (created with its folder); `:memory:` for a throwaway store'),
    /** The PostgreSQL connection string (use `${VAR}` for the password). */
    url: z
      .string()
      .min(1)
      .optional()
      .describe('PostgreSQL connection URL, `postgres://user:password@host:port/db` (use `${VAR}`)'),
    /** Largest number of writes committed in one transaction (the rest go in the next). */
    batchMaxWrites: positiveInt
      .prefault(1000)
      .describe('at most this many writes are committed together in one transaction'),
    /**
     * SQLite: run the database on a worker thread (docs/storage.md, "The writer thread"), so its
     * B-tree and WAL work happens beside the event loop, not on it. `false` keeps it inline.
     */
    writerThread: z
      .boolean()
      .prefault(false)
      .describe(
        'SQLite: write on a worker thread beside the event loop (default `false`: on the event loop)',
      ),
    /**
     * Group commit (docs/storage.md, "Batching"): at least this long between the starts of two
     * commits. A write after a quiet spell is committed at the end of its turn; under load the
     * writes of the interval share one transaction. 0 commits every turn.
     */
    commitIntervalMs: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .prefault(2)
      .describe(
        'at least this many milliseconds between two commits under load (group commit); 0: every turn',
      ),
    /** SQLite's busy_timeout: how long a statement waits for a lock another process holds. */
    busyTimeoutMs: positiveInt
      .prefault(5000)
      .describe('SQLite: how long to wait for a lock another process holds before failing (milliseconds)'),
    history: z
      .strictObject({
        enabled: z.boolean().prefault(true).describe('keep room and direct-conversation history'),
        maxAgeMs: positiveInt
          .prefault(90 * DAY_MS)
          .describe('history older than this many milliseconds is deleted (default 90 days)'),
        maxPerConversation: positiveInt
          .prefault(10000)
          .describe('at most this many messages are kept per room or direct conversation'),
        pruneIntervalMs: positiveInt
          .prefault(60 * 60 * 1000)
          .describe('how often old history is deleted (milliseconds)'),
      })
      .prefault({})
      .describe('history: every message to a room, and direct conversations with a web user'),
    offline: z
      .strictObject({
        enabled: z
          .boolean()
          .prefault(true)
          .describe('keep messages for a local user nobody listens for, and deliver them when they do'),
        maxAgeMs: positiveInt
          .prefault(7 * DAY_MS)
          .describe('a kept message unread this long expires and its sender is told (default 7 days)'),
        maxPerInbox: positiveInt
          .prefault(1000)
          .describe('at most this many messages are kept per inbox; more are answered `quota`'),
      })
      .prefault({})
      .describe('offline delivery: messages kept for users who are not connected'),
    /** The PostgreSQL backend's connection pool (docs/storage.md, "PostgreSQL"). */
    postgres: z
      .strictObject({
        maxConnections: positiveInt
          .prefault(4)
          .describe(
            'PostgreSQL: at most this many connections in the pool (one commits, the others serve admin commands)',
          ),
        connectTimeoutMs: positiveInt
          .prefault(10000)
          .describe('PostgreSQL: a connection not established within this many milliseconds fails'),
        queryTimeoutMs: positiveInt
          .prefault(30000)
          .describe(
            'PostgreSQL: a query the server does not answer within this many milliseconds fails, and its batch is answered `resources`',
          ),
      })
      .prefault({})
      .describe('PostgreSQL connection pool (used when `backend` is `postgres`)'),
  })
  .describe(
    'durable state: history, offline delivery, adapters’ maps, presence, outbound queues (docs/storage.md)',
  );

export type StorageConfig = z.output<typeof storageSchema>;
