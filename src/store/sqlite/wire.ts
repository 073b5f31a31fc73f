/**
 * A batch of operations on its way to the writer thread (docs/storage.md, "The writer thread").
 * postMessage clones objects property by property and a Buffer with its whole backing store (for
 * a small Buffer, Node's 8 KiB pool slab): a batch of 1000 history rows as objects cost the event
 * loop more than SQLite itself (profiled: cloning, then collecting the garbage). So a batch
 * crosses as two things: one flat array of primitives (each operation's kind, then its fields in
 * the fixed order FIELDS gives) and one ArrayBuffer holding every payload, which is transferred
 * (moved, not copied); a payload's place in the array is its offset and length.
 */
import type { SqliteOp } from './operations.js';

type Kind = SqliteOp['op'];

/** Each kind's fields, in the order they cross; `payload` is two numbers, an array its length then its items. */
const FIELDS: { readonly [K in Kind]: readonly Exclude<keyof Extract<SqliteOp, { op: K }>, 'op'>[] } = {
  appendHistory: ['id', 'conversation', 'time', 'source', 'destination', 'contentType', 'payload'],
  readHistory: ['conversation', 'before', 'after', 'limit'],
  deleteHistoryOlder: ['olderThan', 'chunk'],
  pruneStep: ['from', 'keep', 'chunk'],
  putOffline: ['id', 'inbox', 'sender', 'time', 'expires', 'headers', 'payload'],
  readOffline: ['inbox', 'limit'],
  countOffline: ['inbox'],
  deleteOffline: ['seqs'],
  readExpired: ['now', 'limit'],
  getMapping: ['namespace', 'key'],
  setMapping: ['namespace', 'key', 'value'],
  deleteMapping: ['namespace', 'key'],
  listMappings: ['namespace'],
  enqueue: ['queue', 'id', 'time', 'payload'],
  readQueue: ['queue', 'limit'],
  dequeue: ['queue', 'ids'],
};

type Part = string | number | undefined;

export interface WireBatch {
  readonly parts: readonly Part[];
  readonly bytes: ArrayBuffer;
}

/** Packs `ops` for postMessage; transfer `bytes`. */
export function packBatch(ops: readonly SqliteOp[]): WireBatch {
  let total = 0;
  for (const op of ops) if ('payload' in op) total += op.payload.byteLength;
  const bytes = new Uint8Array(total);
  let at = 0;
  const parts: Part[] = [];
  for (const op of ops) {
    parts.push(op.op);
    const record = op as unknown as Readonly<Record<string, unknown>>;
    for (const field of FIELDS[op.op]) {
      const value = record[field];
      if (field === 'payload') {
        const payload = value as Uint8Array;
        bytes.set(payload, at);
        parts.push(at, payload.byteLength);
        at += payload.byteLength;
      } else if (Array.isArray(value)) {
        parts.push(value.length);
        for (const item of value as Part[]) parts.push(item);
      } else parts.push(value as Part);
    }
  }
  return { parts, bytes: bytes.buffer };
}

/** The operations again, each payload a Buffer over its slice (no copy; better-sqlite3 binds Buffers). */
export function unpackBatch(batch: WireBatch): SqliteOp[] {
  const { parts, bytes } = batch;
  const ops: SqliteOp[] = [];
  let i = 0;
  while (i < parts.length) {
    const kind = parts[i++] as Kind;
    const op: Record<string, unknown> = { op: kind };
    for (const field of FIELDS[kind]) {
      if (field === 'payload') {
        op.payload = Buffer.from(bytes, parts[i] as number, parts[i + 1] as number);
        i += 2;
      } else if (field === 'seqs' || field === 'ids') {
        const n = parts[i++] as number;
        op[field] = parts.slice(i, i + n);
        i += n;
      } else op[field] = parts[i++];
    }
    ops.push(op as unknown as SqliteOp);
  }
  return ops;
}
