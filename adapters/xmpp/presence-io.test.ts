import { describe, expect, it } from 'vitest';
import { xml, type Element } from '@xmpp/component';
import type { AdapterContext, Answer } from '../../src/index.js';
import { PresenceBridge, presenceStanza, readPresence } from './presence-io.js';

const A = { componentDomain: 'gw.example.org', userDomains: ['example.org'] };

/** The hub side of the bridge: what it publishes, nothing else. */
function bridge(maxUsers: number) {
  const published: [string, string][] = [];
  const ctx = {
    hub: {
      publishPresence: (p: string, pidf: Uint8Array | null): Promise<Answer> => {
        published.push([p, Buffer.from(pidf ?? []).toString()]);
        return Promise.resolve({ status: 'ok', headers: [] });
      },
    },
    log: { warn: () => undefined },
  } as unknown as AdapterContext;
  const sent: Element[] = [];
  const b = new PresenceBridge(
    ctx,
    A,
    (el) => (sent.push(el), Promise.resolve()),
    maxUsers,
    () => new Date(0),
  );
  return { b, published, sent };
}

const puppet = 'alice\\40irc.example.net@gw.example.org';

describe('presence stanzas (RFC 6121 §4.7) for presence-map.ts', () => {
  it('reads show, status with its language, priority (clamped) and the unavailable type', () => {
    const p = readPresence(
      xml(
        'presence',
        { from: 'juliet@example.org/balcony', to: puppet },
        xml('show', {}, 'dnd'),
        xml('status', { 'xml:lang': 'fr' }, 'occupée'),
        xml('priority', {}, '300'),
      ),
    );
    expect(p).toEqual({
      from: 'juliet@example.org/balcony',
      to: puppet,
      show: 'dnd',
      status: [{ text: 'occupée', lang: 'fr' }],
      priority: 127,
    });
    expect(
      readPresence(xml('presence', { from: 'a@example.org/r', to: puppet, type: 'unavailable' })).type,
    ).toBe('unavailable');
    expect(
      readPresence(xml('presence', { from: 'a@example.org/r' }, xml('show', {}, 'bogus'))).show,
    ).toBeUndefined();
  });

  it('writes a stanza with escaped status text', () => {
    const s = presenceStanza({
      from: puppet,
      to: 'juliet@example.org',
      show: 'away',
      status: [{ text: '<b>&' }],
    });
    expect(s.toString()).toBe(
      `<presence from="${puppet}" to="juliet@example.org"><show>away</show><status>&lt;b&gt;&amp;</status></presence>`,
    );
  });
});

describe('PresenceBridge: XMPP users published per resource', () => {
  it('publishes one tuple per connected resource and closed when the last one leaves', async () => {
    const { b, published } = bridge(10);
    await b.onPresence(xml('presence', { from: 'juliet@example.org/a', to: puppet }));
    await b.onPresence(
      xml('presence', { from: 'juliet@example.org/b', to: puppet }, xml('show', {}, 'away')),
    );
    expect(published.at(-1)![0]).toBe('pres:juliet@example.org');
    expect(published.at(-1)![1].match(/<tuple /g)).toHaveLength(2);
    await b.onPresence(xml('presence', { from: 'juliet@example.org/a', to: puppet, type: 'unavailable' }));
    expect(published.at(-1)![1].match(/<tuple /g)).toHaveLength(1);
    await b.onPresence(xml('presence', { from: 'juliet@example.org/b', to: puppet, type: 'unavailable' }));
    expect(published.at(-1)![1]).toMatch(/<basic>closed<\/basic>/);
    expect(b.size).toBe(0);
  });

  it('ignores presence from a domain the gateway does not serve', async () => {
    const { b, published } = bridge(10);
    await b.onPresence(xml('presence', { from: 'eve@elsewhere.net/x', to: puppet }));
    expect(published).toEqual([]);
  });

  it('tracks at most maxUsers users, however many come (least recently changed forgotten)', async () => {
    const { b, published } = bridge(50);
    for (let i = 0; i < 2000; i++)
      await b.onPresence(xml('presence', { from: `u${i}@example.org/r`, to: puppet }));
    expect(b.size).toBe(50);
    expect(published).toHaveLength(2000);
  });
});
