import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { storageSchema } from '../../src/config/storage-schema.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MailMemory, boundedReferences, replySubject, threadNamespace } from './threads.js';

const log = pino({ level: 'silent' });
const ALICE = 'im:alice@hub.test';
const BOB = 'im:bob@mail.test';
const LIST = 'im:dev-list@mail.test';
let store: Store | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
});

async function memory(s: Store | null): Promise<MailMemory> {
  const m = new MailMemory();
  await m.open(s, 'mail', { threads: 100, messageIds: 100 }, log);
  return m;
}

describe('MailMemory', () => {
  it('threads a mail to the last one of its conversation, in either direction, and after a reload', async () => {
    store = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
    const m = await memory(store);
    expect(m.outboundThreading(ALICE, BOB, { references: [] })).toEqual({ references: [] });
    await m.record(ALICE, BOB, '<out1@mail.test>', { references: [] });
    // Bob answers (inbound: Sender bob, Inbox alice): same conversation.
    await m.record(BOB, ALICE, '<in1@elsewhere>', { inReplyTo: '<out1@mail.test>', references: [] });
    const again = await memory(store);
    expect(again.outboundThreading(ALICE, BOB, { references: [] })).toEqual({
      inReplyTo: '<in1@elsewhere>',
      references: ['<out1@mail.test>', '<in1@elsewhere>'],
    });
    // Another conversation has a thread of its own.
    expect(again.outboundThreading(ALICE, LIST, { references: [] })).toEqual({ references: [] });
  });

  it("leaves a mail's own threading alone (mail from another mail network)", async () => {
    const m = await memory(null);
    await m.record(ALICE, BOB, '<out1@mail.test>', { references: [] });
    const carried = { inReplyTo: '<x@y>', references: ['<w@y>'] };
    expect(m.outboundThreading(ALICE, BOB, carried)).toBe(carried);
  });

  it('matches a reply to a gateway mail with its conversation, whoever it is addressed to', async () => {
    const m = await memory(null);
    await m.record('im:room@hub.test', LIST, '<room1@mail.test>', { references: [] });
    const conv = await m.record(BOB, 'im:someone@hub.test', '<re@elsewhere>', {
      references: ['<older@x>', '<room1@mail.test>'],
    });
    expect(conv).toBe(`dm:im:dev-list@mail.test im:room@hub.test`);
    expect(m.thread('im:room@hub.test', LIST)?.last).toBe('<re@elsewhere>');
  });

  it('keeps at most 10 references', async () => {
    const m = await memory(null);
    for (let i = 0; i < 30; i++) await m.record(ALICE, BOB, `<m${i}@x>`, { references: [] });
    const t = m.outboundThreading(ALICE, BOB, { references: [] });
    expect(t.inReplyTo).toBe('<m29@x>');
    expect(t.references).toHaveLength(11);
    expect(t.references[0]).toBe('<m19@x>');
  });

  it('keeps the Message-ID pairs of mails in and out', async () => {
    store = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
    const m = await memory(store);
    const id = m.inboundId('<in@x>')!;
    expect(m.inboundId('<in@x>')).toBe(id);
    await m.sent('g-out', '<out@mail.test>');
    const again = await memory(store);
    expect([again.inboundId('<in@x>'), again.sentAs('g-out')]).toEqual([id, '<out@mail.test>']);
    expect(threadNamespace('mail')).toBe('mail:mail:thread');
  });

  it('a chat reply in a mail thread goes out as Re: <subject>, kept across a reload (issue 20)', async () => {
    store = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
    const m = await memory(store);
    expect(m.outboundSubject(ALICE, BOB, undefined)).toBeUndefined();
    // Bob mails alice: the thread keeps his Subject; alice's chat replies carry none.
    await m.record(BOB, ALICE, '<round1@elsewhere>', { references: [] }, 'Plans for Friday');
    expect(m.outboundSubject(ALICE, BOB, undefined)).toBe('Re: Plans for Friday');
    await m.record(ALICE, BOB, '<out1@mail.test>', { references: [] }, 'Re: Plans for Friday');
    await m.record(BOB, ALICE, '<round2@elsewhere>', { references: [] }, 'Re: Plans for Friday');
    const again = await memory(store);
    expect(again.outboundSubject(ALICE, BOB, undefined)).toBe('Re: Plans for Friday');
    // An IM with a Subject of its own keeps it.
    expect(again.outboundSubject(ALICE, BOB, 'New topic')).toBe('New topic');
    expect([replySubject('Re: RE: x'), replySubject('AW: y'), replySubject('z')]).toEqual([
      'Re: x',
      'Re: y',
      'Re: z',
    ]);
  });

  it('answers a named mail with the conversation chain up to it, root first (issue 17)', async () => {
    const m = await memory(null);
    await m.record(ALICE, BOB, '<a@x>', { references: [] });
    await m.record(BOB, ALICE, '<b@x>', { references: [] });
    await m.record(ALICE, BOB, '<c@x>', { references: [] });
    expect(m.answering(ALICE, BOB, '<b@x>')).toEqual({ inReplyTo: '<b@x>', references: ['<a@x>', '<b@x>'] });
    expect(m.answering(ALICE, BOB, '<z@x>')).toEqual({ inReplyTo: '<z@x>', references: ['<z@x>'] });
    expect(m.answering(ALICE, BOB, '<z@x>', '<r@x>')).toEqual({
      inReplyTo: '<z@x>',
      references: ['<r@x>', '<z@x>'],
    });
    // A message of the thread rooted at <a@x>, with no parent: it answers the thread's last mail.
    expect(m.inThread(ALICE, BOB, '<a@x>')).toEqual({
      inReplyTo: '<c@x>',
      references: ['<a@x>', '<b@x>', '<c@x>'],
    });
    expect(m.inThread(ALICE, BOB, '<other@x>')).toEqual({
      inReplyTo: '<other@x>',
      references: ['<other@x>'],
    });
  });
});

describe('boundedReferences (issue 17, hostile References)', () => {
  it('keeps the root and the newest, each once', () => {
    const many = Array.from({ length: 500 }, (_, i) => `<${i}@x>`);
    const b = boundedReferences(many, 50);
    expect(b).toHaveLength(50);
    expect(b[0]).toBe('<0@x>');
    expect(b.at(-1)).toBe('<499@x>');
    expect(b[1]).toBe('<451@x>');
    // A loop written out (A B A B …) is two ids.
    expect(boundedReferences(['<a@x>', '<b@x>', '<a@x>', '<b@x>', '<a@x>'], 50)).toEqual(['<a@x>', '<b@x>']);
  });
});
