/**
 * The PostgreSQL store's queries, one per operation of src/store/types.ts, each served by an
 * index of migrations.ts. Each has a name: pg prepares a named query once per connection and then
 * sends only its parameters (PostgreSQL protocol, "Extended Query"), and parameters never mix
 * with the SQL text.
 */
import type pg from 'pg';

function named(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  return (values) => ({ name: `cpim_${name}`, text, values });
}

const HISTORY_COLUMNS = 'seq, id, conversation, time, source, destination, content_type, payload';
const OFFLINE_COLUMNS = 'seq, id, inbox, sender, time, expires, headers, payload';

export const Q = {
  /**
   * The new record's seq, or the seq of the same message already kept (a resend after a restart):
   * stored once. Both in one statement, so a batch of appends costs one round trip each.
   */
  insertHistory: named(
    'insert_history',
    `WITH ins AS (
       INSERT INTO history (id, conversation, time, source, destination, content_type, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (conversation, id) DO NOTHING RETURNING seq)
     SELECT seq FROM ins UNION ALL SELECT seq FROM history WHERE conversation = $2 AND id = $1 LIMIT 1`,
  ),
  /** The newest `limit` with after < seq < before (paging back), newest first. */
  historyNewest: named(
    'history_newest',
    `SELECT ${HISTORY_COLUMNS} FROM history
     WHERE conversation = $1 AND seq < $2 AND seq > $3 ORDER BY seq DESC LIMIT $4`,
  ),
  /** The oldest `limit` with after < seq < before (catching up). */
  historyOldest: named(
    'history_oldest',
    `SELECT ${HISTORY_COLUMNS} FROM history
     WHERE conversation = $1 AND seq > $2 AND seq < $3 ORDER BY seq ASC LIMIT $4`,
  ),
  deleteHistoryOlder: named(
    'delete_history_older',
    'DELETE FROM history WHERE seq IN (SELECT seq FROM history WHERE time < $1 ORDER BY time LIMIT $2)',
  ),
  nextConversation: named(
    'next_conversation',
    'SELECT conversation FROM history WHERE conversation > $1 ORDER BY conversation LIMIT 1',
  ),
  /** The seq of the (keep + 1)-th newest record of a conversation: it and older ones go. */
  historyCutoff: named(
    'history_cutoff',
    'SELECT seq FROM history WHERE conversation = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2',
  ),
  deleteHistoryUpTo: named(
    'delete_history_up_to',
    `DELETE FROM history WHERE seq IN
     (SELECT seq FROM history WHERE conversation = $1 AND seq <= $2 ORDER BY seq LIMIT $3)`,
  ),

  insertOffline: named(
    'insert_offline',
    `WITH ins AS (
       INSERT INTO offline (id, inbox, sender, time, expires, headers, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (inbox, id) DO NOTHING RETURNING seq)
     SELECT seq FROM ins UNION ALL SELECT seq FROM offline WHERE inbox = $2 AND id = $1 LIMIT 1`,
  ),
  readOffline: named(
    'read_offline',
    `SELECT ${OFFLINE_COLUMNS} FROM offline WHERE inbox = $1 ORDER BY seq LIMIT $2`,
  ),
  countOffline: named('count_offline', 'SELECT COUNT(*) AS n FROM offline WHERE inbox = $1'),
  deleteOffline: named('delete_offline', 'DELETE FROM offline WHERE seq = ANY($1::bigint[])'),
  readExpired: named(
    'read_expired',
    `SELECT ${OFFLINE_COLUMNS} FROM offline WHERE expires <= $1 ORDER BY expires, seq LIMIT $2`,
  ),

  getMapping: named('get_mapping', 'SELECT value FROM mappings WHERE namespace = $1 AND key = $2'),
  setMapping: named(
    'set_mapping',
    `INSERT INTO mappings (namespace, key, value) VALUES ($1, $2, $3)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
  ),
  deleteMapping: named('delete_mapping', 'DELETE FROM mappings WHERE namespace = $1 AND key = $2'),
  // COLLATE "C": keys in byte order, as SQLite's BINARY collation orders them, whatever the
  // database's locale.
  listMappings: named(
    'list_mappings',
    'SELECT key, value FROM mappings WHERE namespace = $1 ORDER BY key COLLATE "C"',
  ),

  enqueue: named(
    'enqueue',
    `INSERT INTO queues (queue, id, time, data) VALUES ($1, $2, $3, $4)
     ON CONFLICT (queue, id) DO NOTHING`,
  ),
  readQueue: named(
    'read_queue',
    'SELECT seq, queue, id, time, data FROM queues WHERE queue = $1 ORDER BY seq LIMIT $2',
  ),
  dequeue: named('dequeue', 'DELETE FROM queues WHERE queue = $1 AND id = ANY($2::text[])'),
} as const;
