import { describe, expect, it } from 'vitest';
import { xml, type Element } from '@xmpp/component';
import { getHeader, type AdapterContext, type Answer, type Header, type Operation } from '../../src/index.js';
import { PresenceBridge, presenceStanza, readPresence } from './presence-io.js';

const A = { componentDomain: 'gw.example.org', userDomains: ['example.org'] };

/** The hub side of the bridge: what it publishes, nothing else. */
function bridge(maxUsers: number, askWaitMs = 1000) {
  const published: [string, string, readonly string[] | undefined][] = [];
  /** Mapping 1's class per presentity, as the router's store would keep it (§15.12-13). */
  const classes = new Map<string, string[]>();
  const ok: Answer = { status: 'ok', headers: [] };
  const range: Answer = { status: 'error', headers: [['Error-Type', 'mapping-range']] };
  const ctx = {
    hub: {
      publishPresence: (
        p: string,
        pidf: Uint8Array | null,
        watchers?: readonly string[],
      ): Promise<Answer> => {
        published.push([p, Buffer.from(pidf ?? []).toString(), watchers]);
        if (!classes.has(p)) classes.set(p, [...(watchers ?? ['*'])]);
        return Promise.resolve(ok);
      },
      request: (op: Operation): Promise<Answer> => {
        const p = getHeader(op.headers, 'Presentity')!;
        const c = classes.get(p);
        if (c === undefined) return Promise.resolve(range);
        if (op.method === 'get-class')
          return Promise.resolve({ status: 'ok', headers: c.map((w): Header => ['Wpattern', w]) });
        classes.set(
          p,
          op.headers.filter(([n]) => n === 'Wpattern').map(([, v]) => v),
        );
        return Promise.resolve(ok);
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
    { maxPerUser: 3, askWaitMs, maxCached: maxUsers },
    () => new Date(0),
  );
  return { b, published, sent, classes };
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

describe('WatcherApprovals: who may watch an XMPP user (RFC 3922 §6.2)', () => {
  const alice = 'pres:alice@irc.example.net';
  const subscribeOp = (watcher: string): Operation => ({
    protocol: 'pitp',
    method: 'subscribe',
    headers: [
      ['Subscription', `c1/${watcher}`],
      ['Presentity', 'pres:juliet@example.org'],
    ],
  });

  it("publishes only to the watchers whose puppet got the user's presence, never to everyone", async () => {
    const { b, published, classes } = bridge(10);
    await b.onPresence(xml('presence', { from: 'juliet@example.org/a', to: puppet }));
    expect(published[0]![2]).toEqual([alice]);
    const bobPuppet = 'bob\\40gw.test@gw.example.org';
    await b.onPresence(xml('presence', { from: 'juliet@example.org/a', to: bobPuppet }));
    expect(classes.get('pres:juliet@example.org')).toEqual([alice, 'pres:bob@gw.test']);
  });

  it('a subscribe the store refused asks the user; subscribed answers ok and adds the watcher', async () => {
    const { b, sent, classes, published } = bridge(10);
    const answer = b.approvals.ask(subscribeOp(alice));
    await new Promise((r) => setImmediate(r));
    expect(sent[0]!.attrs).toMatchObject({ from: puppet, to: 'juliet@example.org', type: 'subscribe' });
    await b.onPresence(xml('presence', { from: 'juliet@example.org', to: puppet, type: 'subscribed' }));
    expect((await answer).status).toBe('ok');
    // The user had no store yet: a closed document is published for this watcher, then probed.
    expect(published.at(-1)![1]).toMatch(/<basic>closed<\/basic>/);
    expect(classes.get('pres:juliet@example.org')).toEqual([alice]);
    expect(sent.at(-1)!.attrs.type).toBe('probe');
    await b.onPresence(xml('presence', { from: 'juliet@example.org', to: puppet, type: 'unsubscribed' }));
    expect(classes.get('pres:juliet@example.org')).toEqual([]);
  });

  it('unsubscribed, or no answer within askWaitMs, is target-authorization', async () => {
    const { b } = bridge(10, 50);
    const refused = b.approvals.ask(subscribeOp(alice));
    await new Promise((r) => setImmediate(r));
    await b.onPresence(xml('presence', { from: 'juliet@example.org', to: puppet, type: 'unsubscribed' }));
    expect(getHeader((await refused).headers, 'Error-Type')).toBe('target-authorization');
    const silent = await b.approvals.ask(subscribeOp('pres:bob@gw.test'));
    expect(getHeader(silent.headers, 'Error-Type')).toBe('target-authorization');
    expect(getHeader(silent.headers, 'Error-Description')).toMatch(/not answered/);
  });

  it('keeps at most maxPerUser watchers per user', async () => {
    const { b, classes } = bridge(10);
    for (let i = 0; i < 6; i++)
      await b.onPresence(
        xml('presence', { from: 'juliet@example.org/a', to: `w${i}\\40x.test@gw.example.org` }),
      );
    expect(classes.get('pres:juliet@example.org')).toHaveLength(3);
  });
});
