/**
 * PostgreSQL rows as the store's records (src/store/types.ts). pg returns `bigint` columns as
 * strings (a JavaScript number cannot hold every int8); seqs and milliseconds stay far below
 * 2^53, so Number() is exact. `bytea` arrives as a Buffer, the octets as they were written.
 */
import type { HistoryRecord, OfflineRecord, QueueRecord } from '../types.js';

export type Row = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v as string);
}

function bytes(v: unknown): Uint8Array {
  return v as Buffer;
}

export function historyRecord(r: Row): HistoryRecord {
  return {
    seq: num(r.seq),
    id: r.id as string,
    conversation: r.conversation as string,
    time: num(r.time),
    source: r.source as string,
    destination: r.destination as string,
    contentType: r.content_type as string,
    payload: bytes(r.payload),
  };
}

export function offlineRecord(r: Row): OfflineRecord {
  return {
    seq: num(r.seq),
    id: r.id as string,
    inbox: r.inbox as string,
    sender: r.sender as string,
    time: num(r.time),
    expires: num(r.expires),
    headers: JSON.parse(r.headers as string) as [string, string][],
    payload: bytes(r.payload),
  };
}

export function queueRecord(r: Row): QueueRecord {
  return {
    seq: num(r.seq),
    queue: r.queue as string,
    id: r.id as string,
    time: num(r.time),
    data: bytes(r.data),
  };
}
