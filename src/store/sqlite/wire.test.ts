/** The writer thread's batch encoding (wire.ts): every operation comes out as it went in. */
import { describe, expect, it } from 'vitest';
import type { SqliteOp } from './operations.js';
import { packBatch, unpackBatch } from './wire.js';

const b = (s: string): Buffer => Buffer.from(s);

const OPS: SqliteOp[] = [
  {
    op: 'appendHistory',
    id: 'm1',
    conversation: 'im:room@gw.test',
    time: 1,
    source: 'im:alice@gw.test',
    destination: 'im:room@gw.test',
    contentType: 'message/cpim',
    payload: b('one'),
  },
  {
    op: 'appendHistory',
    id: 'm2',
    conversation: 'im:room@gw.test',
    time: 2,
    source: 'im:bob@gw.test',
    destination: 'im:room@gw.test',
    contentType: 'message/cpim',
    payload: b(''),
  },
  { op: 'readHistory', conversation: 'im:room@gw.test', before: undefined, after: 3, limit: 10 },
  { op: 'deleteHistoryOlder', olderThan: 5, chunk: 100 },
  { op: 'pruneStep', from: '', keep: 2, chunk: 100 },
  {
    op: 'putOffline',
    id: 'm3',
    inbox: 'im:bob@gw.test',
    sender: 'im:alice@gw.test',
    time: 3,
    expires: 4,
    headers: '[["Sender","im:alice@gw.test"]]',
    payload: b('three'),
  },
  { op: 'readOffline', inbox: 'im:bob@gw.test', limit: 5 },
  { op: 'countOffline', inbox: 'im:bob@gw.test' },
  { op: 'deleteOffline', seqs: [1, 2, 3] },
  { op: 'readExpired', now: 9, limit: 2 },
  { op: 'getMapping', namespace: 'ns', key: 'k' },
  { op: 'setMapping', namespace: 'ns', key: 'k', value: 'v' },
  { op: 'deleteMapping', namespace: 'ns', key: 'k' },
  { op: 'listMappings', namespace: 'ns' },
  { op: 'enqueue', queue: 'irc:a', id: 'q1', time: 7, payload: b('queued') },
  { op: 'readQueue', queue: 'irc:a', limit: 3 },
  { op: 'dequeue', queue: 'irc:a', ids: ['q1', 'q2'] },
];

describe('sqlite: the writer thread batch encoding', () => {
  it('every kind of operation comes back as it was', () => {
    const batch = structuredClone(packBatch(OPS));
    const back = unpackBatch(batch);
    expect(back.map((o) => ('payload' in o ? { ...o, payload: Buffer.from(o.payload) } : o))).toEqual(
      OPS.map((o) => ('payload' in o ? { ...o, payload: Buffer.from(o.payload) } : o)),
    );
  });
});
