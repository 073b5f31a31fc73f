import { describe, expect, it } from 'vitest';
import { LinkShare, sourceOf } from './link-share.js';

describe('a fair share of a peer link per source (issue 19)', () => {
  it('the source is the header the §12 table names: Sender of a send, Watcher of a fetch', () => {
    const send = {
      protocol: 'imtp' as const,
      method: 'send',
      headers: [
        ['Inbox', 'im:b@y'],
        ['Sender', ' im:A@x '],
      ] as [string, string][],
    };
    expect(sourceOf(send)).toBe('im:a@x');
    const fetch = {
      protocol: 'pitp' as const,
      method: 'fetch',
      headers: [
        ['Presentity', 'presence:b@y'],
        ['Watcher', 'presence:a@x'],
      ] as [string, string][],
    };
    expect(sourceOf(fetch)).toBe('presence:a@x');
  });

  it('a source over its share is refused alone; a place given back is taken again', () => {
    let share = 2;
    const s = new LinkShare(() => share);
    expect([s.take('a'), s.take('a'), s.take('a')]).toEqual([true, true, false]);
    expect(s.take('b')).toBe(true);
    s.give('a');
    expect(s.take('a')).toBe(true);
    share = 3; // a reload's new share applies at once
    expect(s.take('a')).toBe(true);
    expect(s.sources).toBe(2);
  });

  it("this gateway's rooms are exempt: a room's copies to many members are never refused by the share", () => {
    const s = new LinkShare(
      () => 1,
      (src) => src === 'im:club@a.test',
    );
    expect([1, 2, 3].map(() => s.take('im:club@a.test'))).toEqual([true, true, true]);
    expect([s.take('im:alice@a.test'), s.take('im:alice@a.test')]).toEqual([true, false]);
  });
});
