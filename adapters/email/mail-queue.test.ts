import { afterEach, describe, expect, it } from 'vitest';
import { errorAnswer, getHeader, okAnswer, type Answer } from '../../src/index.js';
import { storageSchema } from '../../src/config/storage-schema.js';
import { createRootLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { MailQueue } from './mail-queue.js';
import type { RawMail } from './outbox.js';
import { decodeQueuedMail, encodeQueuedMail, type QueuedMail } from './queued-mail.js';

const log = createRootLogger({ level: 'silent' });
const stores: Store[] = [];
const queues: MailQueue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) await q.stop(1000);
  for (const s of stores.splice(0)) await s.close();
});

async function memoryStore(): Promise<Store> {
  const s = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
  stores.push(s!);
  return s!;
}

const mail = (id: string): QueuedMail => ({
  id,
  raw: Buffer.from(`Subject: ${id}\r\n\r\nbody\r\n`),
  from: 'alice=gw.test@mail.test',
  to: ['dave@elsewhere.test'],
  messageId: `<${id}@mail.test>`,
  reportTo: 'im:alice@gw.test',
  inbox: 'im:dave@mail.test',
});

const until = async (probe: () => boolean) => {
  for (let i = 0; i < 500 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(probe()).toBe(true);
};

function queue(store: Store, send: (m: RawMail) => Promise<Answer>, now?: () => number) {
  const reports: [string, string, string][] = [];
  const q = new MailQueue({
    store,
    name: 'mail:t',
    cfg: { retryMinMs: 50, retryMaxMs: 100, maxAgeMs: 60_000, maxMails: 3 },
    domain: 'mail.test',
    log,
    send,
    report: (m, kind, why) => reports.push([m.id, kind, why]),
    ...(now ? { now } : {}),
  });
  queues.push(q);
  return { q, reports };
}

describe('the mail queue kept in the store', () => {
  it('stores a mail as it came', () => {
    const back = decodeQueuedMail(encodeQueuedMail(mail('a')));
    expect({ ...back, raw: back.raw.toString() }).toEqual({ ...mail('a'), raw: mail('a').raw.toString() });
  });

  it('retries a temporary failure in order, reports a permanent one and goes on', async () => {
    const store = await memoryStore();
    const sent: string[] = [];
    let relayUp = false;
    const { q, reports } = queue(store, (m) => {
      const subject = m.raw.toString().split('\r\n')[0]!;
      sent.push(subject);
      if (!relayUp) return Promise.resolve(errorAnswer('communications', '451 later'));
      if (subject.endsWith('bad'))
        return Promise.resolve(errorAnswer('target-not-found', '550 no such user'));
      return Promise.resolve(okAnswer());
    });
    for (const id of ['a', 'bad', 'c']) expect((await q.add(mail(id))).status).toBe('ok');
    // The queue holds three: the fourth is refused.
    expect(getHeader((await q.add(mail('d'))).headers, 'Error-Type')).toBe('resources');
    await until(() => sent.length >= 1);
    expect(sent.every((s) => s === 'Subject: a')).toBe(true);
    relayUp = true;
    await until(() => q.idle);
    expect(sent.slice(-3)).toEqual(['Subject: a', 'Subject: bad', 'Subject: c']);
    expect(reports).toEqual([['bad', 'failed', '550 no such user']]);
    expect(await store.readQueue('mail:t', 10)).toEqual([]);
  });

  it('reports a mail older than maxAgeMs without sending it, and keeps one entry per id', async () => {
    const store = await memoryStore();
    let now = Date.now();
    const sent: RawMail[] = [];
    const { q, reports } = queue(
      store,
      (m) => {
        sent.push(m);
        return Promise.resolve(errorAnswer('communications', 'down'));
      },
      () => now,
    );
    await q.add(mail('old'));
    await q.add(mail('old'));
    expect((await store.readQueue('mail:t', 10)).map((r) => r.id)).toEqual(['old']);
    await until(() => sent.length >= 1);
    now += 61_000;
    await until(() => reports.length === 1);
    expect(reports[0]!.slice(0, 2)).toEqual(['old', 'expired']);
    await until(() => q.idle);
    expect(await store.readQueue('mail:t', 10)).toEqual([]);
  });
});
