/**
 * History rows several per statement (history-rows.ts): the answers are those of one statement
 * per row (each row's seq; the first seq for an id the conversation has), and a row SQLite
 * refuses fails alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storageSchema } from '../../config/storage-schema.js';
import { StoreError } from '../errors.js';
import type { NewHistoryRecord, Store } from '../types.js';
import { ROWS } from './history-rows.js';
import { openSqliteStore, startSqliteStore } from './open.js';

const dir = mkdtempSync(join(tmpdir(), 'cpim-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROOM = 'im:room@gw.test';

function record(id: string, conversation = ROOM): NewHistoryRecord {
  return {
    id,
    conversation,
    time: 1_700_000_000_000,
    source: 'im:alice@gw.test',
    destination: conversation,
    contentType: 'message/cpim',
    payload: Buffer.from(`payload ${id}`),
  };
}

/** Submits every record in one turn (one batch), as a room under load does. */
function appendAll(
  store: Store,
  records: readonly NewHistoryRecord[],
): Promise<PromiseSettledResult<number>[]> {
  return Promise.allSettled(records.map((r) => store.appendHistory(r)));
}

const seqs = (results: PromiseSettledResult<number>[]): number[] =>
  results.map((r) => (r.status === 'fulfilled' ? r.value : -1));

async function each(run: (store: Store) => Promise<void>): Promise<void> {
  const memory = openSqliteStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }));
  try {
    await run(memory);
  } finally {
    await memory.close();
  }
  const path = join(dir, `t${Math.random().toString(36).slice(2)}.sqlite`);
  const thread = await startSqliteStore(storageSchema.parse({ backend: 'sqlite', path, writerThread: true }));
  try {
    await run(thread);
  } finally {
    await thread.close();
  }
}

describe('sqlite: history rows several per statement', () => {
  it('answers each row its own seq, in order, as read back', () =>
    each(async (store) => {
      const n = 2 * ROWS + 5;
      const records = Array.from({ length: n }, (_, i) => record(`m${String(i).padStart(3, '0')}`));
      const answers = seqs(await appendAll(store, records));
      const rows = await store.readHistory(ROOM, { limit: 1000 });
      expect(rows.map((r) => r.id)).toEqual(records.map((r) => r.id));
      expect(answers).toEqual(rows.map((r) => r.seq));
      expect(rows.map((r) => Buffer.from(r.payload).toString())).toEqual(
        records.map((r) => Buffer.from(r.payload).toString()),
      );
    }));

  it('an id the conversation has (before, or twice in the batch) is kept once, answered its first seq', () =>
    each(async (store) => {
      const first = seqs(await appendAll(store, [record('old1'), record('old2')]));
      const records = Array.from({ length: ROWS }, (_, i) => record(`n${String(i).padStart(3, '0')}`));
      records[3] = record('old2');
      records[10] = record('n005');
      records[20] = record('old1', 'im:other@gw.test'); // another conversation: a row of its own
      const answers = seqs(await appendAll(store, records));
      const rows = await store.readHistory(ROOM, { limit: 1000 });
      const byId = new Map(rows.map((r) => [r.id, r.seq]));
      expect(rows).toHaveLength(2 + ROWS - 3);
      expect(answers[3]).toBe(first[1]);
      expect(answers[10]).toBe(answers[5]);
      expect(answers[4]).toBe(byId.get('n004'));
      const other = await store.readHistory('im:other@gw.test', { limit: 10 });
      expect(other.map((r) => r.seq)).toEqual([answers[20]]);
    }));

  it('a row SQLite refuses fails alone; the rest of its statement is kept', () =>
    each(async (store) => {
      const records = Array.from({ length: ROWS }, (_, i) => record(`b${String(i).padStart(3, '0')}`));
      records[7] = { ...record('bad'), source: null as unknown as string }; // NOT NULL
      const results = await appendAll(store, records);
      expect(results[7]!.status).toBe('rejected');
      expect((results[7] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(ROWS - 1);
      const rows = await store.readHistory(ROOM, { limit: 1000 });
      expect(rows.map((r) => r.id)).toEqual(records.filter((_, i) => i !== 7).map((r) => r.id));
      expect(seqs(results).filter((s) => s !== -1)).toEqual(rows.map((r) => r.seq));
    }));
});
