import { describe, expect, it } from 'vitest';
import { BoundedCache, MessageIds } from '../../src/index.js';
import { NO_CAPS } from './caps.js';
import { reactionKey, relationStep, type RelationPolicies } from './outbound-relations.js';
import { SentTexts } from './sent-texts.js';

const POL: RelationPolicies = { edits: 'fallback', sedShare: 0.4, deletions: 'drop', reactions: 'drop' };
const CAROL = { uri: 'im:carol@gw.test', name: 'carol' };
const V3 = { ...NO_CAPS, messageTags: true, redaction: true };

describe('relationStep (issue 17: edits, deletions, reactions on one IRC connection)', () => {
  it('an edit: the correction line against the latest text, tied to the original; an edit chain in one lookup', async () => {
    const ids = new MessageIds(null, 't', { maxPairs: 10 });
    await ids.record('srv-1', 'orig');
    const sent = new SentTexts(null, 't', { maxKept: 10, maxKeptChars: 100 });
    const rec = { sent, reactions: undefined };
    sent.sent('orig', 'lunch at noon today');
    const e1 = relationStep(
      { replaces: { target: 'orig', text: 'lunch at one today' } },
      V3,
      ids,
      rec,
      POL,
      CAROL,
      '',
    );
    expect(e1).toEqual({
      kind: 'edit',
      text: 's/noon/one/',
      tags: '+draft/reply=srv-1',
      root: 'orig',
      newText: 'lunch at one today',
    });
    sent.edited('edit-1', 'orig', 'lunch at one today');
    // A second edit naming the first edit (not the original, as spec §2.1 asks): found anyway.
    expect(sent.original('edit-1')).toEqual({ root: 'orig', text: 'lunch at one today' });
    const e2 = relationStep(
      { replaces: { target: 'edit-1', text: 'lunch at one today' } },
      NO_CAPS,
      ids,
      rec,
      POL,
      CAROL,
      '',
    );
    expect(e2).toMatchObject({ kind: 'drop', why: expect.stringMatching(/did not change/) });
    // Without the record, and without a stripped text: the fallback's `* `.
    const e3 = relationStep({ replaces: { target: 'gone' } }, NO_CAPS, ids, rec, POL, CAROL, '* hello');
    expect(e3).toMatchObject({ kind: 'edit', text: '* hello' });
    // A channel that drops edits.
    expect(
      relationStep({ replaces: { target: 'orig' } }, V3, ids, rec, { ...POL, edits: 'drop' }, CAROL, 'x'),
    ).toMatchObject({
      kind: 'drop',
    });
  });

  it('a kept text is cut to maxKeptChars code points', () => {
    const sent = new SentTexts(null, 't', { maxKept: 10, maxKeptChars: 3 });
    sent.sent('a', '👍👍👍👍👍');
    expect(sent.original('a').text).toBe('👍👍👍');
  });

  it('a reaction removal REDACTs our reaction where it can; a plain-IRC reaction is a line by policy', async () => {
    const ids = new MessageIds(null, 't', { maxPairs: 10 });
    await ids.record('srv-react', 'r-1');
    const reactions = new BoundedCache<string, string>({ maxEntries: 10 });
    reactions.set(reactionKey(CAROL.uri, 'm-1', '👍'), 'r-1');
    const rec = { sent: undefined, reactions };
    const remove = { reaction: { op: 'remove' as const, target: 'm-1', key: '👍' } };
    expect(relationStep(remove, V3, ids, rec, POL, CAROL, '')).toEqual({
      kind: 'redact',
      msgid: 'srv-react',
    });
    expect(relationStep(remove, { ...V3, redaction: false }, ids, rec, POL, CAROL, '')).toMatchObject({
      kind: 'drop',
    });
    const add = { reaction: { op: 'add' as const, target: 'm-1', key: '🎉' } };
    expect(relationStep(add, NO_CAPS, ids, rec, { ...POL, reactions: 'text' }, CAROL, '')).toEqual({
      kind: 'reaction-line',
    });
    expect(relationStep(add, V3, ids, rec, { ...POL, reactions: 'text' }, CAROL, '')).toEqual({
      kind: 'pass',
    });
    expect(
      relationStep({ retracts: 'm-1' }, NO_CAPS, ids, rec, { ...POL, deletions: 'text' }, CAROL, ''),
    ).toEqual({
      kind: 'voice',
      text: '* carol deleted a message',
    });
  });
});
