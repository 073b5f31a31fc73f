/**
 * The SQLite store's operations as plain data (issue 15; docs/storage.md, "The writer thread"):
 * what SqliteStore submits to the batcher, and what the engine runs inside one transaction. Plain
 * data, not closures, so that a batch can cross to the writer thread (engine-worker.ts) as one
 * message; the same `runOperation` serves the inline engine (`:memory:`, `db` commands, tests).
 */
import type { HistoryRecord, NewHistoryRecord, OfflineRecord, QueueRecord } from '../types.js';
import type { Statements } from './statements.js';

/** Above every seq SQLite hands out (a signed 64-bit rowid fits in a double up to 2^53). */
const NO_UPPER = Number.MAX_SAFE_INTEGER;
/** Conversations visited per transaction when pruning by count. */
const CONVERSATIONS_PER_STEP = 256;

/** One operation. Octets are `Uint8Array` so that they can be packed for the thread (wire.ts). */
export type SqliteOp =
  | ({ readonly op: 'appendHistory' } & NewHistoryRecord)
  | {
      readonly op: 'readHistory';
      readonly conversation: string;
      readonly before?: number | undefined;
      readonly after?: number | undefined;
      readonly limit: number;
    }
  | { readonly op: 'deleteHistoryOlder'; readonly olderThan: number; readonly chunk: number }
  | { readonly op: 'pruneStep'; readonly from: string; readonly keep: number; readonly chunk: number }
  | ({ readonly op: 'putOffline' } & Omit<OfflineRow, 'seq'>)
  | { readonly op: 'readOffline'; readonly inbox: string; readonly limit: number }
  | { readonly op: 'countOffline'; readonly inbox: string }
  | { readonly op: 'deleteOffline'; readonly seqs: readonly number[] }
  | { readonly op: 'readExpired'; readonly now: number; readonly limit: number }
  | { readonly op: 'getMapping'; readonly namespace: string; readonly key: string }
  | { readonly op: 'setMapping'; readonly namespace: string; readonly key: string; readonly value: string }
  | { readonly op: 'deleteMapping'; readonly namespace: string; readonly key: string }
  | { readonly op: 'listMappings'; readonly namespace: string }
  | {
      readonly op: 'enqueue';
      readonly queue: string;
      readonly id: string;
      readonly time: number;
      readonly payload: Uint8Array;
    }
  | { readonly op: 'readQueue'; readonly queue: string; readonly limit: number }
  | { readonly op: 'dequeue'; readonly queue: string; readonly ids: readonly string[] };

/**
 * A row of the offline table: the headers as JSON, made and parsed on the caller's side, so that
 * one string crosses to the thread.
 */
export type OfflineRow = Omit<OfflineRecord, 'headers'> & { readonly headers: string };

/** What one step of pruning by count did, and where the next one starts (null: done). */
export interface PruneStep {
  readonly deleted: number;
  readonly next: string | null;
}

/** Runs `o` with the prepared statements (inside the batch's transaction). */
export function runOperation(s: Statements, o: SqliteOp): unknown {
  switch (o.op) {
    case 'appendHistory': {
      const r = s.insertHistory.run(
        o.id,
        o.conversation,
        o.time,
        o.source,
        o.destination,
        o.contentType,
        o.payload,
      );
      // INSERT OR IGNORE: `changes` is 0 for the same message again (a resend after a restart),
      // which is stored once; its first seq is the answer. (RETURNING cost a third more per row.)
      if (r.changes === 1) return Number(r.lastInsertRowid);
      return (s.historySeqOf.get(o.conversation, o.id) as { seq: number }).seq;
    }
    case 'readHistory': {
      const before = o.before ?? NO_UPPER;
      const after = o.after ?? -1;
      if (o.after !== undefined)
        return s.historyOldest.all(o.conversation, after, before, o.limit) as HistoryRecord[];
      return (s.historyNewest.all(o.conversation, before, after, o.limit) as HistoryRecord[]).reverse();
    }
    case 'deleteHistoryOlder':
      return s.deleteHistoryOlder.run(o.olderThan, o.chunk).changes;
    case 'pruneStep':
      return pruneStep(s, o.from, o.keep, o.chunk);
    case 'putOffline': {
      const r = s.insertOffline.run(o.id, o.inbox, o.sender, o.time, o.expires, o.headers, o.payload);
      if (r.changes === 1) return Number(r.lastInsertRowid);
      return (s.offlineSeqOf.get(o.inbox, o.id) as { seq: number }).seq;
    }
    case 'readOffline':
      return s.readOffline.all(o.inbox, o.limit) as OfflineRow[];
    case 'countOffline':
      return (s.countOffline.get(o.inbox) as { n: number }).n;
    case 'deleteOffline':
      for (const seq of o.seqs) s.deleteOffline.run(seq);
      return undefined;
    case 'readExpired':
      return s.readExpired.all(o.now, o.limit) as OfflineRow[];
    case 'getMapping':
      return (s.getMapping.get(o.namespace, o.key) as { value: string } | undefined)?.value;
    case 'setMapping':
      s.setMapping.run(o.namespace, o.key, o.value);
      return undefined;
    case 'deleteMapping':
      s.deleteMapping.run(o.namespace, o.key);
      return undefined;
    case 'listMappings':
      return (s.listMappings.all(o.namespace) as { key: string; value: string }[]).map(
        (r) => [r.key, r.value] as [string, string],
      );
    case 'enqueue':
      return s.enqueue.run(o.queue, o.id, o.time, o.payload).changes === 1;
    case 'readQueue':
      return s.readQueue.all(o.queue, o.limit) as QueueRecord[];
    case 'dequeue':
      for (const id of o.ids) s.dequeue.run(o.queue, id);
      return undefined;
  }
}

/**
 * One transaction of pruning by count: conversations after `from` in key order, until
 * CONVERSATIONS_PER_STEP were visited or `chunk` rows deleted. `next` is where the next step
 * starts (just before a conversation left unfinished), null when all were visited.
 */
function pruneStep(s: Statements, from: string, keep: number, chunk: number): PruneStep {
  let deleted = 0;
  let cursor = from;
  for (let i = 0; i < CONVERSATIONS_PER_STEP; i++) {
    const row = s.nextConversation.get(cursor) as { conversation: string } | undefined;
    if (row === undefined) return { deleted, next: null };
    const cutoff = s.historyCutoff.get(row.conversation, keep) as { seq: number } | undefined;
    if (cutoff !== undefined) {
      const n = s.deleteHistoryUpTo.run(row.conversation, cutoff.seq, chunk - deleted).changes;
      deleted += n;
      // Not finished with this one: the next step visits it again.
      if (deleted >= chunk) return { deleted, next: cursor };
    }
    cursor = row.conversation;
  }
  return { deleted, next: cursor };
}
