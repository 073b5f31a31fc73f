/**
 * The store test suite (issue 15: "the same store test suite runs against both"): every method
 * of types.ts, written against the interface only, run by each backend's test file
 * (sqlite/sqlite.test.ts; the PostgreSQL backend's own). What a backend alone can do (make its
 * commits fail, count its transactions, open the same data again) comes through hooks; a test
 * whose hook is absent is skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import type { NewHistoryRecord, NewOfflineRecord, Store } from './types.js';

export interface StoreSuiteBackend {
  /** A new, empty store with the default `storage` settings. */
  open(): Promise<Store>;
  /** The same data again, after `closed` was closed (absent: a store that forgets, `:memory:`). */
  reopen?(closed: Store): Promise<Store>;
  /**
   * Makes the store's commits fail from now on, as a full disk does; the returned function puts
   * things right again.
   */
  breakWrites?(store: Store): Promise<() => Promise<void>>;
  /** Transactions the store has run so far. */
  transactions?(store: Store): number;
}

const T0 = Date.UTC(2026, 0, 1);

function history(n: number, over: Partial<NewHistoryRecord> = {}): NewHistoryRecord {
  return {
    id: `m${n}`,
    conversation: 'im:room@gw.test',
    time: T0 + n * 1000,
    source: 'im:alice@gw.test',
    destination: 'im:room@gw.test',
    contentType: 'message/cpim',
    payload: new Uint8Array([n & 0xff, 0, 0xff, 13, 10]),
    ...over,
  };
}

function offline(n: number, over: Partial<NewOfflineRecord> = {}): NewOfflineRecord {
  return {
    id: `o${n}`,
    inbox: 'im:bob@gw.test',
    sender: 'im:alice@gw.test',
    time: T0 + n * 1000,
    expires: T0 + n * 1000 + 60_000,
    headers: [
      ['Sender', 'im:alice@gw.test'],
      ['Inbox', 'im:bob@gw.test'],
      ['Message-ID', `o${n}`],
    ],
    payload: new Uint8Array([n & 0xff, 1, 2]),
    ...over,
  };
}

const bytes = (b: Uint8Array): number[] => [...b];
const ids = (records: readonly { id: string }[]): string[] => records.map((r) => r.id);

export function storeSuite(name: string, backend: StoreSuiteBackend): void {
  // Registered only where the backend can do it (a store in memory cannot be reopened or
  // broken from outside): a test that cannot run is not listed, never counted as skipped.
  const itBreaking = backend.breakWrites === undefined ? () => undefined : it;
  const itReopening = backend.reopen === undefined ? () => undefined : it;
  describe(`store suite: ${name}`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    async function fresh(): Promise<Store> {
      const s = await backend.open();
      open.push(s);
      return s;
    }
    async function again(closed: Store): Promise<Store> {
      const s = await backend.reopen!(closed);
      open.push(s);
      return s;
    }
    async function append(s: Store, from: number, to: number, over: Partial<NewHistoryRecord> = {}) {
      const seqs: number[] = [];
      for (let n = from; n <= to; n++) seqs.push(await s.appendHistory(history(n, over)));
      return seqs;
    }

    describe('history', () => {
      it('keeps every field and the payload octets unchanged, seq rising', async () => {
        const s = await fresh();
        const seqs = await append(s, 1, 3);
        expect(seqs[1]!).toBeGreaterThan(seqs[0]!);
        expect(seqs[2]!).toBeGreaterThan(seqs[1]!);
        const got = await s.readHistory('im:room@gw.test', { limit: 10 });
        expect(got.map((r) => r.seq)).toEqual(seqs);
        const { payload, ...rest } = got[0]!;
        const { payload: sent, ...sentRest } = history(1);
        expect(rest).toEqual({ ...sentRest, seq: seqs[0] });
        expect(bytes(payload)).toEqual(bytes(sent));
      });

      it('without a cursor: the newest `limit`, oldest first; conversations apart', async () => {
        const s = await fresh();
        await append(s, 1, 5);
        await append(s, 6, 7, { conversation: 'dm:im:a@x im:b@x' });
        expect(ids(await s.readHistory('im:room@gw.test', { limit: 3 }))).toEqual(['m3', 'm4', 'm5']);
        expect(ids(await s.readHistory('dm:im:a@x im:b@x', { limit: 10 }))).toEqual(['m6', 'm7']);
        expect(await s.readHistory('im:nobody@gw.test', { limit: 10 })).toEqual([]);
      });

      it('pages back with `before` and catches up with `after`, no gap and no duplicate', async () => {
        const s = await fresh();
        const seqs = await append(s, 1, 10);
        const page1 = await s.readHistory('im:room@gw.test', { limit: 4 });
        expect(ids(page1)).toEqual(['m7', 'm8', 'm9', 'm10']);
        const page2 = await s.readHistory('im:room@gw.test', { before: page1[0]!.seq, limit: 4 });
        expect(ids(page2)).toEqual(['m3', 'm4', 'm5', 'm6']);
        const page3 = await s.readHistory('im:room@gw.test', { before: page2[0]!.seq, limit: 4 });
        expect(ids(page3)).toEqual(['m1', 'm2']);
        // A tab that saw m4 catches up from there: the oldest after it first.
        const up = await s.readHistory('im:room@gw.test', { after: seqs[3]!, limit: 3 });
        expect(ids(up)).toEqual(['m5', 'm6', 'm7']);
        const rest = await s.readHistory('im:room@gw.test', { after: up[2]!.seq, limit: 100 });
        expect(ids(rest)).toEqual(['m8', 'm9', 'm10']);
        expect(await s.readHistory('im:room@gw.test', { after: seqs[9]!, limit: 5 })).toEqual([]);
        // Both: the records between, the oldest first.
        const between = await s.readHistory('im:room@gw.test', {
          after: seqs[1]!,
          before: seqs[7]!,
          limit: 3,
        });
        expect(ids(between)).toEqual(['m3', 'm4', 'm5']);
      });

      it('the same id in the same conversation is stored once; in another, again', async () => {
        const s = await fresh();
        const first = await s.appendHistory(history(1));
        const again = await s.appendHistory(history(1, { payload: new Uint8Array([9]) }));
        expect(again).toBe(first);
        const other = await s.appendHistory(history(1, { conversation: 'im:other@gw.test' }));
        expect(other).not.toBe(first);
        const got = await s.readHistory('im:room@gw.test', { limit: 10 });
        expect(got).toHaveLength(1);
        expect(bytes(got[0]!.payload)).toEqual(bytes(history(1).payload));
      });

      it('prunes by age: what is older than the instant goes, the rest stays', async () => {
        const s = await fresh();
        await append(s, 1, 6);
        const gone = await s.pruneHistory({ olderThan: history(4).time });
        expect(gone).toBe(3);
        expect(ids(await s.readHistory('im:room@gw.test', { limit: 10 }))).toEqual(['m4', 'm5', 'm6']);
        expect(await s.pruneHistory({ olderThan: history(4).time })).toBe(0);
      });

      it('prunes by count per conversation: the newest stay in each', async () => {
        const s = await fresh();
        await append(s, 1, 5);
        await append(s, 11, 12, { conversation: 'im:small@gw.test' });
        await append(s, 21, 24, { conversation: 'im:other@gw.test' });
        const gone = await s.pruneHistory({ keepPerConversation: 2 });
        expect(gone).toBe(3 + 0 + 2);
        expect(ids(await s.readHistory('im:room@gw.test', { limit: 10 }))).toEqual(['m4', 'm5']);
        expect(ids(await s.readHistory('im:small@gw.test', { limit: 10 }))).toEqual(['m11', 'm12']);
        expect(ids(await s.readHistory('im:other@gw.test', { limit: 10 }))).toEqual(['m23', 'm24']);
      });

      it('prunes by age and count together, and a prune larger than a batch', async () => {
        const s = await fresh();
        const writes: Promise<number>[] = [];
        for (let n = 1; n <= 2500; n++)
          writes.push(s.appendHistory(history(n, { conversation: `im:r${n % 3}@gw.test` })));
        await Promise.all(writes);
        // Age: m1..m99 go; count: of what is left, 10 per conversation stay.
        const gone = await s.pruneHistory({ olderThan: history(100).time, keepPerConversation: 10 });
        expect(gone).toBe(2500 - 30);
        for (const r of [0, 1, 2]) {
          const kept = await s.readHistory(`im:r${r}@gw.test`, { limit: 100 });
          expect(kept).toHaveLength(10);
          expect(kept.every((k) => Number(k.id.slice(1)) > 2500 - 31)).toBe(true);
        }
      });
    });

    describe('offline', () => {
      it('reads one inbox oldest first, up to the limit, headers in order', async () => {
        const s = await fresh();
        const seqs: number[] = [];
        for (let n = 1; n <= 4; n++) seqs.push(await s.putOffline(offline(n)));
        await s.putOffline(offline(5, { inbox: 'im:carol@gw.test' }));
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        const got = await s.readOffline('im:bob@gw.test', 3);
        expect(ids(got)).toEqual(['o1', 'o2', 'o3']);
        expect(got.map((r) => r.seq)).toEqual(seqs.slice(0, 3));
        const { payload, headers, ...rest } = got[0]!;
        const { payload: sent, headers: sentHeaders, ...sentRest } = offline(1);
        expect(rest).toEqual({ ...sentRest, seq: seqs[0] });
        expect(headers).toEqual(sentHeaders);
        expect(bytes(payload)).toEqual(bytes(sent));
        expect(await s.countOffline('im:bob@gw.test')).toBe(4);
        expect(await s.countOffline('im:carol@gw.test')).toBe(1);
        expect(await s.countOffline('im:nobody@gw.test')).toBe(0);
      });

      it('deletes by seq, and keeps the same message for the same inbox once', async () => {
        const s = await fresh();
        const a = await s.putOffline(offline(1));
        const b = await s.putOffline(offline(2));
        expect(await s.putOffline(offline(1))).toBe(a);
        expect(await s.countOffline('im:bob@gw.test')).toBe(2);
        await s.deleteOffline([a]);
        expect(ids(await s.readOffline('im:bob@gw.test', 10))).toEqual(['o2']);
        await s.deleteOffline([b, 999_999]);
        expect(await s.countOffline('im:bob@gw.test')).toBe(0);
        await s.deleteOffline([]);
      });

      it('reads the expired ones, oldest first, up to the limit', async () => {
        const s = await fresh();
        for (let n = 1; n <= 5; n++)
          await s.putOffline(offline(n, { inbox: `im:u${n}@gw.test`, expires: T0 + n * 1000 }));
        expect(ids(await s.readExpiredOffline(T0 + 3000, 10))).toEqual(['o1', 'o2', 'o3']);
        expect(ids(await s.readExpiredOffline(T0 + 3000, 2))).toEqual(['o1', 'o2']);
        expect(await s.readExpiredOffline(T0, 10)).toEqual([]);
      });
    });

    describe('mappings', () => {
      it('sets, replaces, reads, lists in key order and deletes, per namespace', async () => {
        const s = await fresh();
        await s.setMapping('irc:libera:nick', 'im:bob@gw.test', 'bob[gw]');
        await s.setMapping('irc:libera:nick', 'im:alice@gw.test', 'alice[gw]');
        await s.setMapping('mail:thread', 'im:alice@gw.test', '<t1@x>');
        expect(await s.getMapping('irc:libera:nick', 'im:bob@gw.test')).toBe('bob[gw]');
        await s.setMapping('irc:libera:nick', 'im:bob@gw.test', 'bob_');
        expect(await s.getMapping('irc:libera:nick', 'im:bob@gw.test')).toBe('bob_');
        expect(await s.listMappings('irc:libera:nick')).toEqual([
          ['im:alice@gw.test', 'alice[gw]'],
          ['im:bob@gw.test', 'bob_'],
        ]);
        await s.deleteMapping('irc:libera:nick', 'im:alice@gw.test');
        expect(await s.getMapping('irc:libera:nick', 'im:alice@gw.test')).toBeUndefined();
        expect(await s.getMapping('mail:thread', 'im:alice@gw.test')).toBe('<t1@x>');
        expect(await s.listMappings('nothing')).toEqual([]);
        await s.deleteMapping('nothing', 'nobody');
      });
    });

    describe('queues', () => {
      it('enqueues once per (queue, id), reads oldest first, dequeues', async () => {
        const s = await fresh();
        expect(await s.enqueue('irc:libera', 'a', new Uint8Array([1]))).toBe(true);
        expect(await s.enqueue('irc:libera', 'b', new Uint8Array([2]))).toBe(true);
        expect(await s.enqueue('irc:libera', 'a', new Uint8Array([9]))).toBe(false);
        expect(await s.enqueue('mail:out', 'a', new Uint8Array([3]))).toBe(true);
        expect(await s.enqueue('irc:libera', 'c', new Uint8Array([4]))).toBe(true);
        const got = await s.readQueue('irc:libera', 2);
        expect(ids(got)).toEqual(['a', 'b']);
        expect(got[0]!.queue).toBe('irc:libera');
        expect(bytes(got[0]!.data)).toEqual([1]);
        expect(got[1]!.seq).toBeGreaterThan(got[0]!.seq);
        expect(typeof got[0]!.time).toBe('number');
        await s.dequeue('irc:libera', ['a', 'c', 'zz']);
        expect(ids(await s.readQueue('irc:libera', 10))).toEqual(['b']);
        expect(ids(await s.readQueue('mail:out', 10))).toEqual(['a']);
        // Once taken off, the same id may be queued again.
        expect(await s.enqueue('irc:libera', 'a', new Uint8Array([5]))).toBe(true);
        expect(ids(await s.readQueue('irc:libera', 10))).toEqual(['b', 'a']);
      });
    });

    describe('batching', () => {
      it('many writes in one turn: all committed, and a read behind them sees them', async () => {
        const s = await fresh();
        const before = backend.transactions?.(s);
        const writes = Array.from({ length: 300 }, (_, i) => s.appendHistory(history(i + 1)));
        const read = s.readHistory('im:room@gw.test', { limit: 1000 });
        const seqs = await Promise.all(writes);
        expect(new Set(seqs).size).toBe(300);
        expect(await read).toHaveLength(300);
        if (before !== undefined) expect(backend.transactions!(s) - before).toBe(1);
      });

      itBreaking(
        'a commit that fails rejects every operation of its batch with a StoreError; later ones commit',
        async () => {
          const s = await fresh();
          await s.appendHistory(history(1));
          const repair = await backend.breakWrites!(s);
          const big = new Uint8Array(256 * 1024).fill(7);
          const results = await Promise.allSettled([
            s.appendHistory(history(2, { payload: big })),
            s.putOffline(offline(1, { payload: big })),
            s.setMapping('ns', 'k', 'v'.repeat(100_000)),
            s.enqueue('q', 'a', big),
          ]);
          for (const r of results) {
            expect(r.status).toBe('rejected');
            const err = (r as PromiseRejectedResult).reason as StoreError;
            expect(err).toBeInstanceOf(StoreError);
            expect(err.message).toContain(s.location);
          }
          await repair();
          expect(ids(await s.readHistory('im:room@gw.test', { limit: 10 }))).toEqual(['m1']);
          expect(await s.countOffline('im:bob@gw.test')).toBe(0);
          expect(await s.getMapping('ns', 'k')).toBeUndefined();
          expect(await s.readQueue('q', 10)).toEqual([]);
          await s.appendHistory(history(3));
          expect(ids(await s.readHistory('im:room@gw.test', { limit: 10 }))).toEqual(['m1', 'm3']);
        },
      );
    });

    describe('administration and lifetime', () => {
      it('check: ok, the schema version and the counts', async () => {
        const s = await fresh();
        await append(s, 1, 3);
        await s.putOffline(offline(1));
        await s.setMapping('ns', 'k', 'v');
        await s.enqueue('q', 'a', new Uint8Array([1]));
        const c = await s.check();
        expect(c.ok).toBe(true);
        expect(c.problems).toEqual([]);
        expect(c.schemaVersion).toBeGreaterThanOrEqual(1);
        expect(c.counts).toMatchObject({ history: 3, offline: 1, mappings: 1, queues: 1 });
      });

      it('close commits what is batched, is idempotent, and refuses what comes after', async () => {
        const s = await fresh();
        const write = s.setMapping('ns', 'k', 'v');
        const closing = s.close();
        await expect(write).resolves.toBeUndefined();
        await closing;
        await s.close();
        await expect(s.getMapping('ns', 'k')).rejects.toBeInstanceOf(StoreError);
        await expect(s.appendHistory(history(1))).rejects.toBeInstanceOf(StoreError);
      });

      itReopening('reopened, it has everything, and seq never goes back', async () => {
        const s = await fresh();
        const seqs = await append(s, 1, 3);
        // The newest record, then deleted: its seq must never be handed out again.
        const newest = await s.appendHistory(history(4, { conversation: 'im:gone@gw.test', time: T0 - 1 }));
        expect(await s.pruneHistory({ olderThan: T0 })).toBe(1);
        await s.putOffline(offline(1));
        await s.setMapping('ns', 'k', 'v');
        await s.enqueue('q', 'a', new Uint8Array([1]));
        const unsent = s.setMapping('ns', 'k2', 'v2');
        await s.close();
        await unsent;
        const t = await again(s);
        expect(ids(await t.readHistory('im:room@gw.test', { limit: 10 }))).toEqual(['m1', 'm2', 'm3']);
        expect(await t.readHistory('im:gone@gw.test', { limit: 10 })).toEqual([]);
        expect(ids(await t.readOffline('im:bob@gw.test', 10))).toEqual(['o1']);
        expect(await t.listMappings('ns')).toEqual([
          ['k', 'v'],
          ['k2', 'v2'],
        ]);
        expect(ids(await t.readQueue('q', 10))).toEqual(['a']);
        const next = await t.appendHistory(history(5));
        expect(next).toBeGreaterThan(Math.max(...seqs, newest));
      });
    });
  });
}
