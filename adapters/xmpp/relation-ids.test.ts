import { describe, expect, it } from 'vitest';
import { MessageIds } from '../../src/index.js';
import { XmppIds } from './relation-ids.js';
import { inboundRelation } from './relations-in.js';

const fresh = () => new XmppIds(new MessageIds(null, 'xmpp-test', { maxPairs: 100 }), 100);
const J = 'juliet@localhost';

describe('XMPP ids ↔ gateway ids (issue 17)', () => {
  it('a user message is known by its id and origin-id, scoped by sender; a sent one by its gateway id', () => {
    const ids = fresh();
    const g = ids.inbound(J, 'j1', 'o1');
    expect(ids.inbound(J, 'j1', 'o1')).toBe(g); // sent again (same origin-id): the same id
    // A client that numbers its ids per session reuses `j1` for a new message: a new id.
    const g2 = ids.inbound(J, 'j1', undefined);
    expect(g2).not.toBe(g);
    expect(ids.resolve(J, 'j1')).toBe(g2);
    expect(ids.resolve(J, 'o1')).toBe(g);
    expect(ids.resolve('romeo@localhost', 'j1')).toBeUndefined();
    // One-to-one, XMPP names it by the id its sender gave; in a room by the stanza-id (= g).
    expect(ids.xmppRef(g, false)).toBe('j1');
    expect(ids.xmppRef(g, true)).toBe(g);
    ids.noteSent('c-1');
    expect(ids.resolve(J, 'c-1')).toBe('c-1');
    expect(ids.xmppRef('c-1', false)).toBe('c-1');
    expect(ids.xmppRef('unknown', false)).toBeUndefined();
  });

  it('a correction gets its own id, and its XMPP ids name the original (a correction of a correction)', () => {
    const ids = fresh();
    const g = ids.inbound(J, 'j1', undefined);
    const r1 = inboundRelation({ replace: 'j1' }, ids, J, 'im:juliet@localhost', 'fixed', 'juliet');
    expect(r1).toMatchObject({ kind: 'message', relations: { replaces: g }, body: '* fixed', original: g });
    const g2 = ids.inbound(J, 'j2', undefined, g);
    expect(g2).not.toBe(g);
    expect(ids.resolve(J, 'j2')).toBe(g);
    // Replies still name the original by its own id.
    expect(ids.xmppRef(g, false)).toBe('j1');
  });

  it('unknown references degrade: reply and edit plain, reaction and retraction dropped', () => {
    const ids = fresh();
    const rel = (s: Parameters<typeof inboundRelation>[0]) =>
      inboundRelation(s, ids, J, 'im:juliet@localhost', 't', 'juliet').kind;
    expect(rel({ reply: { id: 'x' } })).toBe('none');
    expect(rel({ replace: 'x' })).toBe('none');
    expect(rel({ retract: 'x' })).toBe('drop');
    expect(rel({ reactions: { id: 'x', keys: ['👍'] } })).toBe('drop');
  });

  it('XEP-0444 full sets ↔ single changes, both ways, invalid keys left out', () => {
    const ids = fresh();
    ids.noteSent('c-1');
    const who = 'im:juliet@localhost';
    const r = (keys: string[]) =>
      inboundRelation({ reactions: { id: 'c-1', keys } }, ids, J, who, undefined, 'juliet');
    expect(r(['👍', ' padded', 'x'.repeat(65)])).toEqual({
      kind: 'reactions',
      target: 'c-1',
      changes: [{ op: 'add', key: '👍' }],
    });
    expect(r(['🎉'])).toMatchObject({
      changes: [
        { op: 'remove', key: '👍' },
        { op: 'add', key: '🎉' },
      ],
    });
    expect(r(['🎉'])).toMatchObject({ changes: [] });
    const carol = 'im:carol@gw.test';
    expect(ids.reactionSet(carol, 'c-1', { op: 'add', key: 'a' }, 2)).toEqual(['a']);
    expect(ids.reactionSet(carol, 'c-1', { op: 'add', key: 'b' }, 2)).toEqual(['a', 'b']);
    expect(ids.reactionSet(carol, 'c-1', { op: 'add', key: 'c' }, 2)).toEqual(['b', 'c']);
    expect(ids.reactionSet(carol, 'c-1', { op: 'remove', key: 'b' }, 2)).toEqual(['c']);
  });
});
