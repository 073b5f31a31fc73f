import { describe, expect, it } from 'vitest';
import { makeAddress } from '../../src/index.js';
import { readClientFrame, type ClientFrame } from './protocol.js';
import { KnownMessages, acceptIncoming, outgoing, withoutFallback } from './relations.js';
import { buildMessage, readMessage } from './translate.js';

const ALICE = 'im:alice@web.test';
const CAROL = 'im:carol@gw.test';
type SendFrame = Extract<ClientFrame, { type: 'send' }>;

function frame(f: Record<string, unknown>): SendFrame {
  const r = readClientFrame(JSON.stringify({ type: 'send', id: 'r1', to: CAROL, ...f }));
  if (!r.ok) throw new Error(r.error.message);
  return r.frame as SendFrame;
}

function known(): KnownMessages {
  const k = new KnownMessages(null, 'web:test:msgs', 100);
  k.remember('a1', ALICE, 'my first words');
  k.remember('c1', CAROL, 'ship it');
  return k;
}

describe('web sends with relations (outgoing)', () => {
  it('edits and deletes only the author’s own known messages', () => {
    const k = known();
    expect(outgoing(k, ALICE, 'n1', frame({ text: 'x', replaces: 'c1' }))).toMatch(/only your own/);
    expect(outgoing(k, ALICE, 'n1', frame({ retracts: 'c1' }))).toMatch(/only your own/);
    expect(outgoing(k, ALICE, 'n1', frame({ retracts: 'zz' }))).toMatch(/unknown here/);
    expect(outgoing(k, ALICE, 'n1', frame({ text: 'fixed', replaces: 'a1' }))).toEqual({
      body: '* fixed',
      relations: { id: 'n1', replaces: 'a1', fallback: [{ start: 0, end: 2 }] },
      shown: { replaces: 'a1' },
      text: 'fixed',
    });
    expect(outgoing(k, ALICE, 'n2', frame({ retracts: 'a1' }))).toMatchObject({
      body: '',
      relations: { id: 'n2', retracts: 'a1' },
    });
  });

  it('a reply quotes a known parent; a reaction is silent, on any id', () => {
    const k = known();
    expect(outgoing(k, ALICE, 'n1', frame({ text: 'done', replyTo: 'c1' }))).toMatchObject({
      body: '> carol: ship it\ndone',
      shown: { replyTo: 'c1', quote: 'carol: ship it' },
    });
    expect(outgoing(k, ALICE, 'n1', frame({ text: 'ok', replyTo: 'gone' }))).toMatchObject({
      body: 'ok',
      relations: { id: 'n1', replyTo: 'gone' },
    });
    expect(
      outgoing(k, ALICE, 'n3', frame({ reaction: { op: 'add', target: 'elsewhere', key: '👍' } })),
    ).toMatchObject({ body: '', relations: { reaction: { op: 'add', target: 'elsewhere', key: '👍' } } });
  });

  it('the protocol refuses a send mixing relations, or text with a deletion', () => {
    for (const f of [
      { text: 'x', replaces: 'a', retracts: 'b' },
      { text: 'x', retracts: 'a' },
      { replaces: 'a' },
      { text: 'x', replyTo: 'has space' },
    ]) {
      const r = readClientFrame(JSON.stringify({ type: 'send', id: 'r1', to: CAROL, ...f }));
      expect(r.ok).toBe(false);
    }
  });
});

describe('incoming relations', () => {
  it('an edit or deletion of someone else’s message is not applied', () => {
    const k = known();
    expect(acceptIncoming(k, 'h1', CAROL, '* hijack', { replaces: 'a1' })).toEqual({});
    expect(acceptIncoming(k, 'h2', CAROL, '', { retracts: 'a1' })).toEqual({});
    expect(acceptIncoming(k, 'h3', CAROL, 'ship it now', { replaces: 'c1' })).toEqual({ replaces: 'c1' });
    expect(k.get('c1')).toEqual({ author: CAROL, text: 'ship it now' });
    acceptIncoming(k, 'h4', CAROL, '', { retracts: 'c1' });
    expect(k.get('c1')).toEqual({ author: CAROL, text: '' });
    acceptIncoming(k, 'h5', CAROL, 'new one', {});
    expect(k.get('h5')).toEqual({ author: CAROL, text: 'new one' });
  });

  it('the fallback is removed before display; a reply’s quote line becomes the quote', () => {
    expect(withoutFallback('> bob: hi\nhello', { replyTo: 'x', fallback: [{ start: 0, end: 10 }] })).toEqual({
      text: 'hello',
      quote: 'bob: hi',
    });
    expect(withoutFallback('* new', { replaces: 'x', fallback: [{ start: 0, end: 2 }] })).toEqual({
      text: 'new',
    });
    expect(withoutFallback('plain', {})).toEqual({ text: 'plain' });
    // A body that is all fallback is shown whole unless it is a deletion or a reaction.
    expect(withoutFallback('all of it', { fallback: [{ start: 0, end: null }] })).toEqual({
      text: 'all of it',
    });
    expect(
      withoutFallback('(x deleted a message)', { retracts: 'a', fallback: [{ start: 0, end: null }] }),
    ).toEqual({ text: '' });
  });

  it('a web message with relations reads back with them (buildMessage → readMessage)', async () => {
    const payload = buildMessage(
      makeAddress('im', 'alice', 'web.test'),
      makeAddress('im', 'carol', 'gw.test'),
      '> carol: ship it\ndone',
      new Date(),
      {
        id: 'n1',
        replyTo: 'c1',
        fallback: [{ start: 0, end: 17 }],
      },
    );
    const m = await readMessage(
      [
        ['Sender', ALICE],
        ['Content-Type', 'message/cpim'],
      ],
      payload,
      new Date(),
    );
    expect(m).toMatchObject({ text: 'done', relations: { replyTo: 'c1', quote: 'carol: ship it' } });
  });

  it('malformed Msg headers are not applied: the text is shown whole', async () => {
    const cpim = Buffer.from(
      'From: <im:carol@gw.test>\r\nTo: <im:alice@web.test>\r\nNS: Msg <tag:cpim-gateway.org,2026:msg>\r\n' +
        'Msg.Replaces: bad id\r\nMsg.Fallback: 0-2\r\n\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n* text',
    );
    const m = await readMessage(
      [
        ['Sender', CAROL],
        ['Content-Type', 'message/cpim'],
      ],
      cpim,
      new Date(),
    );
    expect(m.text).toBe('* text');
    expect(m.relations).toBeUndefined();
  });
});
