import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/component';
import {
  NS_CORRECT,
  NS_FALLBACK,
  NS_REACTIONS,
  NS_REPLY,
  NS_RETRACT,
  NS_SID,
  readStanzaRelations,
  relationElements,
} from './relation-stanzas.js';

const msg = (...children: ReturnType<typeof xml>[]) =>
  xml('message', { from: 'juliet@localhost/a', to: 'room@gw', id: 'j1' }, xml('body', {}, 'x'), ...children);

describe('XMPP relation elements (issue 17)', () => {
  it('XEP-0359: a stanza-id is read only when `by` is trusted', () => {
    const el = msg(
      xml('origin-id', { xmlns: NS_SID, id: 'o1' }),
      xml('stanza-id', { xmlns: NS_SID, id: 'forged', by: 'someone@else' }),
      xml('stanza-id', { xmlns: NS_SID, id: 's1', by: 'room@gw' }),
    );
    expect(readStanzaRelations(el, { maxReactions: 5 })).toEqual({ originId: 'o1' });
    expect(readStanzaRelations(el, { maxReactions: 5, trustStanzaIdBy: 'room@gw' })).toEqual({
      originId: 'o1',
      stanzaId: 's1',
    });
  });

  it('XEP-0461 with its XEP-0428 ranges; a fallback for another namespace is not the quote', () => {
    const el = msg(
      xml('reply', { xmlns: NS_REPLY, id: 'p1', to: 'room@gw/carol' }),
      xml('fallback', { xmlns: NS_FALLBACK, for: 'urn:other' }, xml('body', { start: '0', end: '1' })),
      xml('fallback', { xmlns: NS_FALLBACK, for: NS_REPLY }, xml('body', { start: '0', end: '12' })),
    );
    expect(readStanzaRelations(el, { maxReactions: 5 })).toMatchObject({
      reply: { id: 'p1', to: 'room@gw/carol' },
      replyFallback: [{ start: 0, end: 12 }],
    });
    // Reversed or unreadable ranges are left out.
    const bad = msg(
      xml('reply', { xmlns: NS_REPLY, id: 'p1' }),
      xml('fallback', { xmlns: NS_FALLBACK, for: NS_REPLY }, xml('body', { start: '9', end: '3' })),
    );
    expect(readStanzaRelations(bad, { maxReactions: 5 }).replyFallback).toBeUndefined();
  });

  it('XEP-0308, XEP-0424 (both forms) and XEP-0444; too many reactions flagged, not returned', () => {
    expect(
      readStanzaRelations(msg(xml('replace', { xmlns: NS_CORRECT, id: 'a' })), { maxReactions: 5 }).replace,
    ).toBe('a');
    expect(
      readStanzaRelations(msg(xml('retract', { xmlns: NS_RETRACT, id: 'b' })), { maxReactions: 5 }).retract,
    ).toBe('b');
    const old = msg(
      xml(
        'apply-to',
        { xmlns: 'urn:xmpp:fasten:0', id: 'c' },
        xml('retract', { xmlns: 'urn:xmpp:message-retract:0' }),
      ),
    );
    expect(readStanzaRelations(old, { maxReactions: 5 }).retract).toBe('c');
    const set = (n: number) =>
      msg(
        xml(
          'reactions',
          { xmlns: NS_REACTIONS, id: 'd' },
          ...Array.from({ length: n }, (_, i) => xml('reaction', {}, `k${i % 3}`)),
        ),
      );
    // Duplicates count once.
    expect(readStanzaRelations(set(9), { maxReactions: 3 }).reactions).toEqual({
      id: 'd',
      keys: ['k0', 'k1', 'k2'],
    });
    const many = msg(
      xml(
        'reactions',
        { xmlns: NS_REACTIONS, id: 'd' },
        ...Array.from({ length: 300 }, (_, i) => xml('reaction', {}, `k${i}`)),
      ),
    );
    const r = readStanzaRelations(many, { maxReactions: 20 });
    expect(r.tooManyReactions).toBe(true);
    expect(r.reactions).toBeUndefined();
  });

  it('writes what it reads', () => {
    const els = relationElements(
      { reply: { id: 'p1' }, replyFallback: [{ start: 0, end: null }], reactions: { id: 'd', keys: ['👍'] } },
      'héllo',
    );
    const el = msg(...els);
    const r = readStanzaRelations(el, { maxReactions: 5 });
    expect(r.reply).toEqual({ id: 'p1' });
    // An open range is written with the body's length in code points.
    expect(r.replyFallback).toEqual([{ start: 0, end: 5 }]);
    expect(r.reactions).toEqual({ id: 'd', keys: ['👍'] });
    const retract = relationElements({ retract: 'x' }, 'gone');
    expect(retract.map((e) => `${e.getNS()} ${e.name}`)).toEqual([
      `${NS_RETRACT} retract`,
      `${NS_FALLBACK} fallback`,
      'urn:xmpp:hints store',
    ]);
  });
});
