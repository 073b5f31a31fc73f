/** Merging a fan-out's answers (merge.ts; draft §16.2, part 3 row 53). */
import { describe, expect, it } from 'vitest';
import type { Answer } from '../protocol/index.js';
import { mergeAnswers } from './merge.js';

const ok = (...headers: [string, string][]): Answer => ({ status: 'ok', headers });

describe('mergeAnswers', () => {
  it('prefers an ok without Unreliable; all errors give the first error', () => {
    const err: Answer = { status: 'error', headers: [['Error-Type', 'no-listeners']] };
    expect(mergeAnswers([ok(['Unreliable', 'irc.test']), ok()])).toEqual(ok());
    expect(mergeAnswers([err, { status: 'error', headers: [['Error-Type', 'quota']] }])).toBe(err);
  });

  it("keeps every member's <Network>-Clipped header, whichever ok is chosen (issue 20)", () => {
    const irc = ok(['Unreliable', 'irc.test'], ['Irc-Clipped', '15 of 20 lines sent']);
    const hub = ok();
    const merged = mergeAnswers([irc, hub, ok(['Xmpp-Clipped', 'one part dropped'])]);
    expect(merged.headers).toEqual([
      ['Irc-Clipped', '15 of 20 lines sent'],
      ['Xmpp-Clipped', 'one part dropped'],
    ]);
    // Nothing clipped: the chosen ok itself.
    expect(mergeAnswers([ok(['Unreliable', 'irc.test']), hub])).toBe(hub);
  });
});
