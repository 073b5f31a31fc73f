import { describe, expect, it } from 'vitest';
import { PresenceTracker } from './presence.js';

function tracker(debounceMs = 0) {
  const published: { presentity: string; basic: string }[] = [];
  const t = new PresenceTracker(
    {
      presentity: (nick) => `pres:${nick.toLowerCase()}@irc.test`,
      publish: (presentity, pidf) => {
        const basic = /<basic>(\w+)<\/basic>/.exec(new TextDecoder().decode(pidf))?.[1] ?? '?';
        published.push({ presentity, basic });
      },
      fold: (n) => n.toLowerCase(),
      isOwn: (n) => n === 'gwbot',
    },
    debounceMs,
    debounceMs,
  );
  return { t, published };
}

describe('IRC presence tracker bounds (issue 12)', () => {
  it('forgets a user once their leaving is published, however many come and go', () => {
    const { t, published } = tracker();
    for (let i = 0; i < 10_000; i++) {
      t.join(`user${i}`, '#chan');
      t.quit(`user${i}`, false);
      expect(t.size).toBeLessThanOrEqual(1);
    }
    expect(t.size).toBe(0);
    expect(published).toHaveLength(20_000);
    expect(published.slice(-2)).toEqual([
      { presentity: 'pres:user9999@irc.test', basic: 'open' },
      { presentity: 'pres:user9999@irc.test', basic: 'closed' },
    ]);
  });

  it('keeps users who are present, and one who comes back is published open again', () => {
    const { t, published } = tracker();
    t.names('#chan', ['alice', 'bob']);
    t.part('bob', '#chan');
    expect(t.size).toBe(1);
    expect(t.isAway('alice')).toBe(false);
    expect(t.isAway('bob')).toBeNull();
    t.away('bob', 'gone'); // not tracked: nothing is created or published
    expect(t.size).toBe(1);
    t.join('Bob', '#chan');
    expect(published.map((p) => `${p.presentity} ${p.basic}`)).toEqual([
      'pres:alice@irc.test open',
      'pres:bob@irc.test open',
      'pres:bob@irc.test closed',
      'pres:bob@irc.test open',
    ]);
  });

  it('keeps a user while a delayed leave is pending, then forgets them', async () => {
    const { t, published } = tracker(20);
    t.join('carol', '#chan');
    t.quit('carol', true);
    expect(t.size).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(t.size).toBe(0);
    expect(published.at(-1)).toEqual({ presentity: 'pres:carol@irc.test', basic: 'closed' });
    t.stop();
  });

  it('publishes the old nick of a nick change offline only after the debounce (issue 20)', async () => {
    const { t, published } = tracker(40);
    t.join('dave', '#chan');
    t.nick('dave', 'dave_');
    // The new nick is open at once; the old one waits, and a change back cancels its leave.
    expect(published.map((p) => `${p.presentity} ${p.basic}`)).toEqual([
      'pres:dave@irc.test open',
      'pres:dave_@irc.test open',
    ]);
    t.nick('dave_', 'dave');
    t.nick('dave', 'dave2');
    await new Promise((r) => setTimeout(r, 100));
    expect(published.slice(2).map((p) => `${p.presentity} ${p.basic}`)).toEqual([
      'pres:dave2@irc.test open',
      'pres:dave_@irc.test closed',
      'pres:dave@irc.test closed',
    ]);
    t.stop();
  });
});
