/**
 * The SQLite store's prepared statements (better-sqlite3 compiles each once), one per query of
 * src/store/types.ts; each is served by an index of migrations.ts.
 */
import type Database from 'better-sqlite3';

export function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    insertHistory: p(
      `INSERT INTO history (id, conversation, time, source, destination, content_type, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conversation, id) DO NOTHING`,
    ),
    historySeqOf: p('SELECT seq FROM history WHERE conversation = ? AND id = ?'),
    /** The newest `limit` with after < seq < before (paging back), newest first. */
    historyNewest: p(
      `SELECT seq, id, conversation, time, source, destination, content_type AS contentType, payload
       FROM history WHERE conversation = ? AND seq < ? AND seq > ? ORDER BY seq DESC LIMIT ?`,
    ),
    /** The oldest `limit` with after < seq < before (catching up). */
    historyOldest: p(
      `SELECT seq, id, conversation, time, source, destination, content_type AS contentType, payload
       FROM history WHERE conversation = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?`,
    ),
    deleteHistoryOlder: p(
      'DELETE FROM history WHERE seq IN (SELECT seq FROM history WHERE time < ? ORDER BY time LIMIT ?)',
    ),
    nextConversation: p(
      'SELECT conversation FROM history WHERE conversation > ? ORDER BY conversation LIMIT 1',
    ),
    /** The seq of the (keep + 1)-th newest record of a conversation: it and older ones go. */
    historyCutoff: p('SELECT seq FROM history WHERE conversation = ? ORDER BY seq DESC LIMIT 1 OFFSET ?'),
    deleteHistoryUpTo: p(
      `DELETE FROM history WHERE seq IN
       (SELECT seq FROM history WHERE conversation = ? AND seq <= ? ORDER BY seq LIMIT ?)`,
    ),

    insertOffline: p(
      `INSERT INTO offline (id, inbox, sender, time, expires, headers, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inbox, id) DO NOTHING`,
    ),
    offlineSeqOf: p('SELECT seq FROM offline WHERE inbox = ? AND id = ?'),
    readOffline: p(
      `SELECT seq, id, inbox, sender, time, expires, headers, payload
       FROM offline WHERE inbox = ? ORDER BY seq LIMIT ?`,
    ),
    countOffline: p('SELECT COUNT(*) AS n FROM offline WHERE inbox = ?'),
    deleteOffline: p('DELETE FROM offline WHERE seq = ?'),
    readExpired: p(
      `SELECT seq, id, inbox, sender, time, expires, headers, payload
       FROM offline WHERE expires <= ? ORDER BY expires, seq LIMIT ?`,
    ),

    getMapping: p('SELECT value FROM mappings WHERE namespace = ? AND key = ?'),
    setMapping: p(
      `INSERT INTO mappings (namespace, key, value) VALUES (?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteMapping: p('DELETE FROM mappings WHERE namespace = ? AND key = ?'),
    listMappings: p('SELECT key, value FROM mappings WHERE namespace = ? ORDER BY key'),

    enqueue: p(
      `INSERT INTO queues (queue, id, time, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (queue, id) DO NOTHING`,
    ),
    readQueue: p('SELECT seq, queue, id, time, data FROM queues WHERE queue = ? ORDER BY seq LIMIT ?'),
    dequeue: p('DELETE FROM queues WHERE queue = ? AND id = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
