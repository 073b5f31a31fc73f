import { describe, expect, it } from 'vitest';
import { AnswerTally, methodTally } from './tally.js';

describe('AnswerTally', () => {
  it('counts ok, ok + Unreliable and each Error-Type; unknown types as other', () => {
    const t = new AnswerTally();
    t.answer({ status: 'ok', headers: [] });
    t.answer({ status: 'ok', headers: [['Unreliable', 'irc.test']] });
    t.answer({ status: 'error', headers: [['Error-Type', 'quota']] });
    t.answer({ status: 'error', headers: [['Error-Type', 'quota']] });
    t.answer({ status: 'error', headers: [['Error-Type', 'invented-by-a-peer']] });
    // An error without Error-Type is read as communications (draft §12, as passOnError does).
    t.answer({ status: 'error', headers: [] });
    expect(Object.fromEntries(t.entries())).toEqual({
      ok: 1,
      unreliable: 1,
      quota: 2,
      communications: 1,
      other: 1,
    });
  });
});

describe('methodTally', () => {
  it('counts known methods by name and anything else as other', () => {
    const t = methodTally();
    t.count('send');
    t.count('send');
    t.count('subscribe');
    t.count('SEND');
    t.count('x'.repeat(100));
    expect(Object.fromEntries(t.entries())).toEqual({ send: 2, subscribe: 1, other: 2 });
  });
});
