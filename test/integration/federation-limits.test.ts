/**
 * Issue 19: what a partner gateway may cost us. Two gateways (a.test, b.test) linked over
 * loopback TCP without TLS, started once for the file with small bounds: B bounds each peer's
 * presence subscriptions (docs/federation.md "Per-peer limits"), A gives each source a small share
 * of its link's command window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPidf } from '../../src/codec/pidf/index.js';
import type { ResponseFrame } from '../../src/hub/frame/index.js';
import type { Answer } from '../../src/protocol/index.js';
import { eventually, fedGateway, peerEntry } from '../support/federation.js';
import { h, listenAs, OK, sendText } from '../support/hub-calls.js';
import { freePorts } from '../support/net.js';
import type { TestGateway } from '../support/gateway.js';

/** Six members of A's room on B: more than the share of 4 per source. */
const CLUB_ON_B = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((m) => `im:${m}@b.test`);

let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  const [ai, ap, bi, bp] = await freePorts(4);
  const A = { imtp: { port: ai! }, pitp: { port: ap! } };
  const B = { imtp: { port: bi! }, pitp: { port: bp! } };
  a = await fedGateway({
    domain: 'a.test',
    ports: { imtp: ai!, pitp: ap! },
    peerAccounts: [{ user: 'gw-b', password: 'secret-b', peerDomain: 'b.test' }],
    peers: [peerEntry(['b.test'], B, { user: 'gw-a', password: 'secret-a' })],
    // A window of 16 unanswered commands per connection (the link's too), 4 of them per source.
    // Commands on A's links time out after 2 s (B's to its own listeners after the default 30 s).
    hubLimits: { maxOutstandingCommands: 16, commandTimeoutMs: 2000 },
    federation: { perSourceOutstanding: 4 },
    // A room with more members on B than a source's share: its copies must all go.
    rooms: [
      {
        name: 'club',
        address: 'im:club@a.test',
        members: ['im:alice@a.test', ...CLUB_ON_B],
      },
    ],
  });
  b = await fedGateway({
    domain: 'b.test',
    ports: { imtp: bi!, pitp: bp! },
    peerAccounts: [{ user: 'gw-a', password: 'secret-a', peerDomain: 'a.test' }],
    peers: [peerEntry(['a.test'], A, { user: 'gw-b', password: 'secret-b' })],
    clients: ['alice', 'bob', 'carol', ...CLUB_ON_B.map((m) => m.slice(3, 5))],
    limits: {
      peers: { maxSubscriptions: 50, maxSubscriptionsPerPresentity: 30, dropSubscriptionsAfterMs: 300 },
      maxWatcherInfoListed: 10,
    },
  });
}, 30_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const errorType = (r: ResponseFrame) => (r.status === 'ok' ? 'ok' : h(r.headers, 'Error-Type'));
const count = (rs: ResponseFrame[], type: string) => rs.filter((r) => errorType(r) === type).length;

describe('issue 19: per-peer limits between two gateways', () => {
  it('a peer link without TLS is warned about at start (its password goes in clear)', () => {
    const warned = a.logs().filter((l) => l.level === 40 && /peer link without TLS/.test(String(l.msg)));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ peer: 'b.test' });
  });

  it('defect 2: a peer subscription flood is answered quota past the per-peer bounds, start-wi stays bounded, and the subscriptions end once the peer is gone', async () => {
    for (const user of ['bob', 'carol']) {
      const c = await b.client(user, 'pitp');
      const pidf = buildPidf({ entity: `pres:${user}@b.test`, tuples: [{ id: 't1', basic: 'open' }] });
      const r = await c.command(
        'insert-mapping',
        [
          ['Presentity', `presence:${user}@b.test`],
          ['Mapping', '1'],
          ['Wpattern', 'presence:*'],
          ['Content-Type', 'application/pidf+xml'],
        ],
        Buffer.from(pidf),
      );
      expect(r.status).toBe('ok');
    }
    // A's peer credentials used by hand, as the attacker did.
    const peer = await b.client('gw-a', 'pitp', undefined, {
      sasl: { mechanism: 'PLAIN', user: 'gw-a', password: 'secret-a' },
    });
    const subscribe = (who: string, watcher: string) =>
      peer.command('subscribe', [
        ['Subscription', `t1/${watcher}`],
        ['Presentity', `presence:${who}@b.test`],
      ]);
    // From a peer, only watchers of its own domain (draft §8.1).
    expect(errorType(await subscribe('bob', 'presence:w@c.test'))).toBe('source-authorization');

    const flood = (who: string) =>
      Promise.all(Array.from({ length: 200 }, (_, n) => subscribe(who, `presence:w${n}@a.test`)));
    const toBob = await flood('bob');
    expect(count(toBob, 'ok')).toBe(30); // limits.peers.maxSubscriptionsPerPresentity
    expect(count(toBob, 'quota')).toBe(170);
    const toCarol = await flood('carol');
    expect(count(toCarol, 'ok')).toBe(20); // limits.peers.maxSubscriptions: 50 in all
    expect(count(toCarol, 'quota')).toBe(180);
    // A refresh of a subscription it holds is no new one.
    expect(errorType(await subscribe('bob', 'presence:w0@a.test'))).toBe('ok');

    // Bob's own watcher information still works, capped with a header saying so.
    const bob = await b.client('bob', 'pitp', () => OK);
    const startWi = () => bob.command('start-wi', [['Presentity', 'presence:bob@b.test']]);
    const wi = await startWi();
    expect(wi.status).toBe('ok');
    expect(wi.headers.filter(([n]) => n === 'Subscription')).toHaveLength(10);
    expect(h(wi.headers, 'Wi-Omitted')).toBe('20');

    // The peer goes; past limits.peers.dropSubscriptionsAfterMs its subscriptions end.
    await peer.close();
    await eventually(async () => (await startWi()).headers.every(([n]) => n !== 'Subscription'), 250, 20);
    expect(h((await startWi()).headers, 'Wi-Omitted')).toBeUndefined();
    expect(b.logs().some((l) => /its subscriptions end/.test(String(l.msg)) && l.subscriptions === 50)).toBe(
      true,
    );
  });

  it("defect 3: a client pipelining to a silent listener on B gets resources for itself alone; another user's send is answered ok", async () => {
    // bob on B listens and never answers.
    const silent = await b.client('bob', 'imtp', () => new Promise<Answer>(() => undefined));
    expect((await silent.command('listen', [['Inbox', 'im:bob@b.test']])).status).toBe('ok');
    const carolInbox = await listenAs(b, 'carol', 'im:carol@b.test');

    // One client of A, two connections, 40 pipelined sends on each.
    const attacker = [await a.client('alice'), await a.client('alice')];
    const answers: ResponseFrame[] = [];
    for (const c of attacker)
      for (let i = 0; i < 40; i++)
        void sendText(c, 'im:alice@a.test', 'im:bob@b.test', `flood ${i}`).then((r) => answers.push(r));
    // Every send but those the link could hold (its window, 16) has its answer.
    await eventually(() => answers.length >= 80 - 16, 250, 20);

    const carol = await a.client('carol');
    const r = await sendText(carol, 'im:carol@a.test', 'im:carol@b.test', 'still served');
    expect(errorType(r)).toBe('ok');
    expect(carolInbox.map((c) => Buffer.from(c.payload!).toString())).toEqual(['still served']);
    // The attacker's own sends past its share were refused, naming the share.
    const refused = answers.filter((x) =>
      /perSourceOutstanding/.test(h(x.headers, 'Error-Description') ?? ''),
    );
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((x) => errorType(x) === 'resources')).toBe(true);

    // The attacker's sends on the link (its share, 4) time out one by one: `communications`,
    // and then the link serves it again like anyone else.
    await eventually(() => answers.length === 80, 250, 20);
    expect(count(answers, 'communications')).toBe(4);
    expect(count(answers, 'resources')).toBe(76);
    const again = await sendText(attacker[0]!, 'im:alice@a.test', 'im:carol@b.test', 'after');
    expect(errorType(again)).toBe('ok');
  });

  it("a room's post reaches every member on B, however many more than one source's share", async () => {
    const inboxes = await Promise.all(CLUB_ON_B.map((m) => listenAs(b, m.slice(3, 5), m)));
    const alice = await a.client('alice');
    const r = await sendText(alice, 'im:alice@a.test', 'im:club@a.test', 'to the whole club');
    expect(errorType(r)).toBe('ok');
    await eventually(() => inboxes.every((got) => got.length === 1), 250, 20);
    for (const got of inboxes)
      expect(Buffer.from(got[0]!.payload!).toString()).toContain('to the whole club');
  });
});
