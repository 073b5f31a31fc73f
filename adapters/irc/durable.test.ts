import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, type Operation } from '../../src/index.js';
import { createRootLogger } from '../../src/log.js';
import { storageSchema } from '../../src/config/storage-schema.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { decodeSend, DurableQueue, encodeSend } from './durable.js';
import { Ticket } from './queue.js';
import type { ReportSend } from './report.js';

const log = createRootLogger({ level: 'silent' });
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function memoryStore(): Promise<Store> {
  const s = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
  stores.push(s!);
  return s!;
}

const op: Operation = {
  protocol: 'imtp',
  method: 'send',
  headers: [
    ['Sender', 'im:carol@gw.test'],
    ['Inbox', 'im:dave@irc.test'],
    ['Message-ID', 'm-1'],
    ['X-Unknown', 'kept'],
  ],
  payload: new Uint8Array([0, 1, 2, 255]),
};

describe('the IRC queue kept in the store', () => {
  it('stores a send as it came: headers in order, payload octets unchanged', () => {
    const back = decodeSend(encodeSend(op));
    expect(back.headers).toEqual(op.headers);
    expect([...back.payload!]).toEqual([0, 1, 2, 255]);
  });

  it('keeps a send once per Message-ID, releases it, and answers ok + Stored: queued', async () => {
    const store = await memoryStore();
    const q = new DurableQueue(store, 'irc:t', 'irc.test', log, () => undefined);
    const first = new Ticket(1, 'dave', Date.now(), []);
    first.held = true;
    let withdrawn = 0;
    const a = await q.keep(
      first,
      op,
      'm-1',
      () => withdrawn++,
      () => undefined,
    );
    expect([a.status, getHeader(a.headers, 'Stored'), getHeader(a.headers, 'Unreliable')]).toEqual([
      'ok',
      'queued',
      'irc.test',
    ]);
    expect(first.held).toBe(false);
    const again = new Ticket(1, 'dave', Date.now(), []);
    const b = await q.keep(
      again,
      op,
      'm-1',
      () => withdrawn++,
      () => undefined,
    );
    expect(getHeader(b.headers, 'Stored')).toBe('queued');
    expect(withdrawn).toBe(1);
    expect((await store.readQueue('irc:t', 10)).map((r) => r.id)).toEqual(['m-1']);
    // Written to the socket: out of the store.
    first.onWritten!();
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.readQueue('irc:t', 10)).toEqual([]);
  });

  it('answers resources and sends nothing when the store refuses the write', async () => {
    const store = await memoryStore();
    await store.close();
    const q = new DurableQueue(store, 'irc:t', 'irc.test', log, () => undefined);
    const t = new Ticket(1, 'dave', Date.now(), []);
    t.held = true;
    let withdrawn = false;
    const a = await q.keep(
      t,
      op,
      'm-1',
      () => (withdrawn = true),
      () => undefined,
    );
    expect(getHeader(a.headers, 'Error-Type')).toBe('resources');
    expect(withdrawn).toBe(true);
    expect(getHeader((await t.promise).headers, 'Error-Type')).toBe('resources');
  });

  it('reports a kept send that aged out to its author, and drops it; nothing when stopping', async () => {
    const store = await memoryStore();
    const reports: ReportSend[] = [];
    const q = new DurableQueue(store, 'irc:t', 'irc.test', log, (r) => reports.push(r));
    const t = new Ticket(1, 'dave', Date.now(), []);
    t.held = true;
    await q.keep(
      t,
      op,
      'm-1',
      () => undefined,
      () => undefined,
    );
    t.expired = true;
    t.settleWith({ status: 'error', headers: [['Error-Type', 'communications']] });
    await new Promise((r) => setTimeout(r, 20));
    expect(reports.map((r) => [r.sender, r.inbox, ...r.headers.map(([, v]) => v)])).toEqual([
      ['im:postmaster@irc.test', 'im:carol@gw.test', 'expired', 'm-1', 'im:dave@irc.test'],
    ]);
    expect(await store.readQueue('irc:t', 10)).toEqual([]);

    const kept = new Ticket(1, 'dave', Date.now(), []);
    await q.keep(
      kept,
      { ...op, headers: [...op.headers.slice(0, 2), ['Message-ID', 'm-2']] },
      'm-2',
      () => 0,
      () => 0,
    );
    q.stopped = true;
    kept.settleWith({ status: 'error', headers: [['Error-Type', 'communications']] });
    await new Promise((r) => setTimeout(r, 20));
    expect(reports).toHaveLength(1);
    expect((await store.readQueue('irc:t', 10)).map((r) => r.id)).toEqual(['m-2']);
  });
});
