/**
 * The write batcher on its own (batch.ts), with an asynchronous commit as PostgreSQL's is: one
 * transaction per event-loop turn, at most `maxWrites` each, one at a time, and a failed commit
 * rejecting every operation of its batch.
 */
import { describe, expect, it } from 'vitest';
import { WriteBatcher, type Outcome } from './batch.js';
import { StoreError } from './errors.js';

function batcher(
  maxWrites: number,
  fail: (ops: readonly number[]) => boolean = () => false,
  minIntervalMs = 0,
) {
  const batches: number[][] = [];
  let inCommit = 0;
  let overlapped = false;
  const b = new WriteBatcher<number>({
    maxWrites,
    minIntervalMs,
    commit: async (ops) => {
      inCommit++;
      if (inCommit > 1) overlapped = true;
      batches.push([...ops]);
      await new Promise((r) => setTimeout(r, 1));
      inCommit--;
      if (fail(ops)) throw new Error('disk I/O error');
      return ops.map((op): Outcome =>
        op < 0 ? { ok: false, error: new Error(`bad ${op}`) } : { ok: true, value: op * 2 },
      );
    },
    failure: (err, count) =>
      new StoreError('write-failed', 'test', `${count} failed: ${(err as Error).message}`),
    closed: () => new StoreError('closed', 'test', 'closed'),
  });
  return { b, batches, overlapped: () => overlapped };
}

describe('WriteBatcher', () => {
  it('one transaction per turn, split at maxWrites, one commit at a time, each op its own result', async () => {
    const { b, batches, overlapped } = batcher(4);
    const first = [1, 2, 3, 4, 5, 6].map((n) => b.submit<number>(n));
    await new Promise((r) => setImmediate(r));
    const second = [7, 8].map((n) => b.submit<number>(n));
    expect(await Promise.all([...first, ...second])).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(b.transactions).toBe(2);
    expect(overlapped()).toBe(false);
  });

  it('a failed commit rejects every operation of its batch; an operation failing alone rejects alone', async () => {
    const { b } = batcher(10, (ops) => ops.includes(99));
    const results = await Promise.allSettled([b.submit(1), b.submit(99), b.submit(2)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
      expect(((r as PromiseRejectedResult).reason as Error).message).toBe('3 failed: disk I/O error');
    }
    const mixed = await Promise.allSettled([b.submit(3), b.submit(-1)]);
    expect(mixed[0]).toEqual({ status: 'fulfilled', value: 6 });
    expect(mixed[1].status).toBe('rejected');
  });

  it('close waits for what was submitted, then refuses', async () => {
    const { b } = batcher(2);
    const pending = [b.submit(1), b.submit(2), b.submit(3)];
    await b.close();
    expect(b.pending).toBe(0);
    expect(await Promise.all(pending)).toEqual([2, 4, 6]);
    await expect(b.submit(4)).rejects.toThrow('closed');
    await b.close();
  });

  it('group commit: writes that come within storage.commitIntervalMs of a commit join the next one', async () => {
    const { b, batches } = batcher(100, () => false, 300);
    const turn = (): Promise<unknown> => new Promise((r) => setImmediate(r));
    // A write after a quiet spell is committed at the end of its turn.
    expect(await b.submit<number>(1)).toBe(2);
    // Three writes in three later turns, all within the interval: one transaction.
    const later = [b.submit<number>(2)];
    await turn();
    later.push(b.submit<number>(3));
    await turn();
    later.push(b.submit<number>(4));
    expect(await Promise.all(later)).toEqual([4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('flush does not wait for the interval: what waits is committed at once', async () => {
    const { b, batches } = batcher(100, () => false, 60_000);
    await b.submit<number>(1);
    const waiting = b.submit<number>(2);
    await b.flush();
    expect(batches).toEqual([[1], [2]]);
    expect(await waiting).toBe(4);
  });

  it('a write submitted with `now` is not held for the interval, and takes what waits with it', async () => {
    const { b, batches } = batcher(100, () => false, 60_000);
    await b.submit<number>(1);
    const waiting = b.submit<number>(2);
    expect(await b.submit<number>(3, true)).toBe(6);
    expect(await waiting).toBe(4);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('with a synchronous commit (SQLite), a `now` write is committed before submit returns', async () => {
    const committed: number[][] = [];
    const b = new WriteBatcher<number>({
      maxWrites: 100,
      minIntervalMs: 0,
      commit: (ops) => (committed.push([...ops]), ops.map((op): Outcome => ({ ok: true, value: op }))),
      failure: (err) => new StoreError('write-failed', 'test', String(err)),
      closed: () => new StoreError('closed', 'test', 'closed'),
    });
    const queued = b.submit<number>(1);
    const urgent = b.submit<number>(2, true);
    // No turn has passed: the write that waited and the urgent one are one transaction already.
    expect(committed).toEqual([[1, 2]]);
    expect(await Promise.all([queued, urgent])).toEqual([1, 2]);
    // The flush the first submit scheduled finds nothing left to do.
    await new Promise((r) => setImmediate(r));
    expect(b.transactions).toBe(1);
  });
});
