import { describe, expect, it } from 'vitest';
import { nickCandidates, puppetNickNamespace } from './puppet-nicks.js';

describe('puppet nicks kept across restarts', () => {
  it('tries the nick the puppet had first, then the derived ones without repeating it', () => {
    const derived = ['alice[gw]', 'alice1[gw]', 'alice2[gw]'];
    expect(nickCandidates(undefined, derived)).toEqual(derived);
    expect(nickCandidates('alice1[gw]', derived)).toEqual(['alice1[gw]', 'alice[gw]', 'alice2[gw]']);
    expect(nickCandidates('al_[gw]', derived)).toEqual(['al_[gw]', ...derived]);
  });

  it('names a namespace per adapter', () => {
    expect(puppetNickNamespace('irc-libera')).toBe('irc:irc-libera:nick');
  });
});
