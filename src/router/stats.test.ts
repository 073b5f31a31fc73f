import { describe, expect, it } from 'vitest';
import { errorAnswer, okAnswer } from '../protocol/index.js';
import { RouteStats } from './stats.js';

describe('RouteStats: ok answers that were kept rather than delivered', () => {
  it('counts each Stored value once, only on ok, and an unknown one as other', () => {
    const s = new RouteStats();
    s.delivered(
      okAnswer([
        ['Unreliable', 'irc.test'],
        ['Stored', 'queued'],
      ]),
      1,
    );
    s.delivered(okAnswer([['Stored', ' offline ']]), 1);
    s.delivered(okAnswer([['Stored', 'history']]), 1);
    s.delivered(okAnswer([['Stored', 'elsewhere']]), 1);
    s.delivered(okAnswer([]), 1);
    // An error never says where a message was kept (a peer's stray header is not counted).
    s.delivered(
      {
        ...errorAnswer('resources', 'x'),
        headers: [
          ['Error-Type', 'resources'],
          ['Stored', 'queued'],
        ],
      },
      1,
    );
    expect([...s.stored.entries()]).toEqual([
      ['offline', 1],
      ['history', 1],
      ['queued', 1],
      ['other', 1],
    ]);
    expect(s.answers.get('ok')).toBe(4);
    expect(s.answers.get('unreliable')).toBe(1);
    expect(s.answers.get('resources')).toBe(1);
  });
});
