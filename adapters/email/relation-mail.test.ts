import { describe, expect, it } from 'vitest';
import { planRelation, type RelationInput, type RelationPolicy } from './relation-mail.js';

const DEFAULTS: RelationPolicy = { edits: 'mail', reactions: 'drop', deletions: 'drop', inRooms: false };
const MAILED: Record<string, string> = { m1: '<m1@mail.test>' };

function plan(over: Partial<RelationInput>) {
  return planRelation({
    relations: undefined,
    text: '',
    name: 'alice',
    inRoom: false,
    policy: DEFAULTS,
    mailOf: (id) => MAILED[id],
    ...over,
  });
}

describe('planRelation (issue 17, mail has no edits, deletions or reactions)', () => {
  it('mails an edit of a mailed message as a Correction answering it, without the `* ` fallback', () => {
    expect(
      plan({ relations: { replaces: 'm1', fallback: [{ start: 0, end: 2 }] }, text: '* fixed typo' }),
    ).toEqual({ kind: 'follow-up', answers: '<m1@mail.test>', text: 'Correction: fixed typo' });
  });

  it('an edit of a message never mailed becomes a new mail with the new text', () => {
    expect(plan({ relations: { replaces: 'zz', fallback: [{ start: 0, end: 2 }] }, text: '* new' })).toEqual({
      kind: 'new',
      text: 'new',
    });
  });

  it('drops edits per configuration, and in rooms unless inRooms', () => {
    const edit = { relations: { replaces: 'm1' }, text: 'x' };
    expect(plan({ ...edit, policy: { ...DEFAULTS, edits: 'drop' } })).toEqual({
      kind: 'drop',
      clipped: 'an edit is not mailed',
    });
    expect(plan({ ...edit, inRoom: true })).toMatchObject({ kind: 'drop' });
    expect(plan({ ...edit, inRoom: true, policy: { ...DEFAULTS, inRooms: true } })).toMatchObject({
      kind: 'follow-up',
    });
  });

  it('drops reactions and deletions by default; mails them as a short follow-up per configuration', () => {
    const reaction = { relations: { reaction: { op: 'add' as const, target: 'm1', key: '👍' } } };
    const deletion = { relations: { retracts: 'm1' } };
    expect(plan(reaction)).toEqual({ kind: 'drop', clipped: 'a reaction is not mailed' });
    expect(plan(deletion)).toEqual({ kind: 'drop', clipped: 'a deletion is not mailed' });
    const all: RelationPolicy = { ...DEFAULTS, reactions: 'mail', deletions: 'mail' };
    expect(plan({ ...reaction, policy: all })).toEqual({
      kind: 'follow-up',
      answers: '<m1@mail.test>',
      text: 'alice reacted 👍',
    });
    expect(plan({ ...deletion, policy: all })).toEqual({
      kind: 'follow-up',
      answers: '<m1@mail.test>',
      text: 'alice deleted a message',
    });
    // Nothing to answer, or a removal: not mailed, said.
    expect(
      plan({ relations: { reaction: { op: 'add', target: 'zz', key: '👍' } }, policy: all }),
    ).toMatchObject({ kind: 'drop' });
    expect(plan({ relations: { reaction: { op: 'remove', target: 'm1', key: '👍' } }, policy: all })).toEqual(
      { kind: 'drop', clipped: 'the removal of a reaction is not mailed' },
    );
    expect(plan({ relations: { retracts: 'zz' }, policy: all })).toMatchObject({ kind: 'drop' });
  });

  it('a reply or a thread alone is a plain mail (threading does the rest)', () => {
    expect(plan({ relations: { replyTo: 'm1', thread: 'm1' }, text: 'hi' })).toEqual({ kind: 'plain' });
    expect(plan({})).toEqual({ kind: 'plain' });
  });
});
