import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReactionLines } from './reaction-lines.js';

const log = { debug: () => undefined } as never;

describe('ReactionLines (plain-IRC reaction lines, issue 17)', () => {
  afterEach(() => vi.useRealTimers());

  it('merges the reactions to one channel within the window into one line per message', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const lines = new ReactionLines(
      { mergeMs: 2000, maxLinesPerMinute: 6, maxWaiting: 64 },
      (_d, t) => out.push(t),
      log,
    );
    const dev = { key: '#dev' };
    const msg = { id: 'm1', nick: 'dave', text: 'shall we ship the release on friday afternoon or not' };
    lines.add(dev, 'carol', '👍', msg);
    lines.add(dev, 'carol', '🎉', msg);
    lines.add(dev, 'bob', '👍', msg);
    lines.add(dev, 'bob', '👍', msg);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(2000);
    expect(out).toEqual([
      '* carol reacted 👍 🎉, bob reacted 👍 to dave: "shall we ship the release on friday afte…"',
    ]);
    lines.add(dev, 'carol', '👀', { id: 'm2' });
    vi.advanceTimersByTime(2000);
    expect(out[1]).toBe('* carol reacted 👀');
  });

  it('bounds the lines per channel per minute and the reactions waiting', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const lines = new ReactionLines(
      { mergeMs: 100, maxLinesPerMinute: 2, maxWaiting: 64 },
      (_d, t) => out.push(t),
      log,
    );
    const dev = { key: '#dev' };
    for (let i = 0; i < 5; i++) {
      lines.add(dev, 'mallory', '👍', { id: `m${i}`, nick: 'dave' });
      vi.advanceTimersByTime(100);
    }
    expect(out).toHaveLength(2);
    let taken = 0;
    for (let i = 0; i < 100; i++) if (lines.add(dev, 'mallory', String(i), { id: `x${i}` })) taken++;
    expect(taken).toBe(64);
    lines.stop();
  });
});
