/**
 * Federation links: loops through a triangle of gateways, a peer that dies and comes back,
 * discovery through DNS SRV (a stub DNS server on loopback), and commands a peer sends on the
 * link we opened (part 4 row 13).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HubClient } from '../../src/hub/client.js';
import type { ResponseFrame } from '../../src/hub/frame/index.js';
import type { HubConnection } from '../../src/hub/server.js';
import { startDnsStub, type DnsStub } from '../support/dns-stub.js';
import { eventually, peerEntry, useFederation, type FedGatewaySpec } from '../support/federation.js';
import { h, listenAs, OK, sendText } from '../support/hub-calls.js';
import { freePorts } from '../support/net.js';
import type { TestGateway } from '../support/gateway.js';
import { captureLog, Cleanup, startHub, testHubConfig } from '../support/hub-tcp.js';

const cleanup = new Cleanup();
let dns: DnsStub | undefined;
afterEach(async () => {
  await cleanup.run();
  await dns?.close();
  dns = undefined;
});
// Registered after the hook above, so (hooks run in reverse) the gateways stop first.
const fed = useFederation();
const start = (spec: FedGatewaySpec) => fed.start(spec);
const stop = (g: TestGateway) => fed.stop(g);

const listen = (g: TestGateway, user: string, inbox: string) => listenAs(g, user, inbox);
const send = (c: HubClient, from: string, to: string) => sendText(c, from, to);

const plain = (user: string) => ({ user, password: `pw-${user}` });

/**
 * Three gateways whose routes to x.test point in a circle: each relays to the next and accepts
 * the one before it as a peer of its domain.
 */
async function ring(domains: readonly string[], visited?: (i: number) => string): Promise<TestGateway[]> {
  const ports = await freePorts(6);
  const at = (i: number) => ({ imtp: { port: ports[2 * i]! }, pitp: { port: ports[2 * i + 1]! } });
  const gws: TestGateway[] = [];
  for (let i = 0; i < 3; i++) {
    const next = (i + 1) % 3;
    const prev = (i + 2) % 3;
    gws.push(
      await start({
        domain: domains[i]!,
        ...(visited ? { visitedToken: visited(i) } : {}),
        ports: { imtp: at(i).imtp.port, pitp: at(i).pitp.port },
        peerAccounts: [{ ...plain(`s${prev}`), peerDomain: domains[prev]! }],
        peers: [peerEntry(['x.test'], at(next), plain(`s${i}`))],
      }),
    );
  }
  return gws;
}

describe('routes in a circle', () => {
  it('row 54: a triangle of gateways whose routes point in a circle ends in loop', async () => {
    // One domain served by three servers with their own Visited tokens: intra-domain relaying is
    // local policy (draft §8.1), so only Visited stops the message.
    const gws = await ring(['a.test', 'a.test', 'a.test'], (i) => `s${i}.a.test`);
    const alice = await gws[0]!.client('alice');
    const r = await send(alice, 'im:alice@a.test', 'im:z@x.test');
    expect(h(r.headers, 'Error-Type')).toBe('loop');
    expect(h(r.headers, 'Error-Description')).toMatch(/already visited s0\.a\.test/);
  });

  it('across three domains the §8.1 check stops the circle at the second hop', async () => {
    const gws = await ring(['a.test', 'b.test', 'c.test']);
    const alice = await gws[0]!.client('alice');
    const r = await send(alice, 'im:alice@a.test', 'im:z@x.test');
    // c.test refuses b.test speaking for alice@a.test (part 3 row 26); b.test passed it on.
    expect(h(r.headers, 'Error-Type')).toBe('source-authorization');
    expect(h(r.headers, 'Error-Originator')).toBe('x.test');
  });
});

describe('a peer link that dies', () => {
  it('row 55: sends answer communications while the peer is down and succeed after it restarts', async () => {
    const [ai, ap, bi, bp] = await freePorts(4);
    const B = { imtp: { port: bi! }, pitp: { port: bp! } };
    const bSpec: FedGatewaySpec = {
      domain: 'b.test',
      ports: { imtp: bi!, pitp: bp! },
      peerAccounts: [{ ...plain('gw-a'), peerDomain: 'a.test' }],
    };
    const a = await start({
      domain: 'a.test',
      ports: { imtp: ai!, pitp: ap! },
      peers: [peerEntry(['b.test'], B, plain('gw-a'))],
    });
    let b = await start(bSpec);
    await listen(b, 'bob', 'im:bob@b.test');
    const alice = await a.client('alice');
    expect((await send(alice, 'im:alice@a.test', 'im:bob@b.test')).status).toBe('ok');

    // B stops: it asks A's link to move (§14.2); A closes it with nothing outstanding (row 55).
    await stop(b);
    const down = await send(alice, 'im:alice@a.test', 'im:bob@b.test');
    expect(h(down.headers, 'Error-Type')).toBe('communications');
    expect(h(down.headers, 'Error-Originator')).toBe('a.test');
    const again = await send(alice, 'im:alice@a.test', 'im:bob@b.test');
    expect(h(again.headers, 'Error-Description')).toMatch(/no link to b\.test; next attempt in \d+ ms/);

    b = await start(bSpec);
    await listen(b, 'bob', 'im:bob@b.test');
    let last: ResponseFrame | undefined;
    await eventually(
      async () => (last = await send(alice, 'im:alice@a.test', 'im:bob@b.test')).status === 'ok',
      60,
      50,
    );
    expect(last?.status).toBe('ok');
    const failures = a.logs().filter((l) => l.msg === 'peer link failed');
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(a.logs().some((l) => l.msg === 'peer asked us to move (shutdown)')).toBe(true);
  });
});

describe('DNS SRV discovery through a stub DNS server', () => {
  it('rows 2, cpim 39/54/55: SRV targets in priority order, at least two tried; A fallback; no A when SRV exists', async () => {
    const [deadPort] = await freePorts(1);
    const b = await start({ domain: 'b.test', peerAccounts: [{ ...plain('gw-a'), peerDomain: 'a.test' }] });
    const d = await start({ domain: 'd.test', peerAccounts: [{ ...plain('gw-a'), peerDomain: 'a.test' }] });
    const srv = (priority: number, port: number, target: string) =>
      ({ type: 'SRV', priority, weight: 0, port, target }) as const;
    const A = { type: 'A', address: '127.0.0.1' } as const;
    dns = await startDnsStub({
      '_im-servers._tcp.b.test': [srv(0, deadPort!, 'dead.b.test'), srv(1, b.imtp.port, 'live.b.test')],
      '_presence-servers._tcp.b.test': [srv(0, b.pitp.port, 'live.b.test')],
      'dead.b.test': [A],
      'live.b.test': [A],
      'b.test': [A],
      // No SRV: the domain's own address on the default port (federation.ports, here d's).
      'd.test': [A],
      // SRV exists (a dead target): the domain's address must not be used, though d listens there.
      '_im-servers._tcp.e.test': [srv(0, deadPort!, 'dead.b.test')],
      'e.test': [A],
    });
    const a = await start({
      domain: 'a.test',
      federation: {
        ports: { imtp: d.imtp.port, pitp: d.pitp.port },
        dns: {
          enabled: true,
          servers: [dns.server],
          timeoutMs: 1000,
          sasl: { mechanism: 'PLAIN', ...plain('gw-a') },
        },
      },
    });
    const bob = await listen(b, 'bob', 'im:bob@b.test');
    const dave = await listen(d, 'bob', 'im:bob@d.test');
    const alice = await a.client('alice');

    expect((await send(alice, 'im:alice@a.test', 'im:bob@b.test')).status).toBe('ok');
    expect(bob).toHaveLength(1);
    expect(dns.queries).toContain('SRV _im-servers._tcp.b.test');
    expect(a.logs().some((l) => l.msg === 'peer link up' && l.peer === 'b.test')).toBe(true);

    expect((await send(alice, 'im:alice@a.test', 'im:bob@d.test')).status).toBe('ok');
    expect(dave).toHaveLength(1);

    const e = await send(alice, 'im:alice@a.test', 'im:bob@e.test');
    expect(h(e.headers, 'Error-Type')).toBe('communications');
    expect(dave).toHaveLength(1);

    const none = await send(alice, 'im:alice@a.test', 'im:bob@nowhere.test');
    expect(h(none.headers, 'Error-Type')).toBe('target-not-found');
    // Not an FQDN: no lookup, no guess (srv-vectors "not an FQDN").
    const alias = await send(alice, 'im:alice@a.test', 'im:bob@intranet');
    expect(h(alias.headers, 'Error-Type')).toBe('target-not-found');
    expect(dns.queries.some((q) => q.endsWith(' intranet'))).toBe(false);

    // PITP uses _presence-servers._tcp; b.test answers (no such presentity there).
    const pitp = await a.client('alice', 'pitp');
    const f = await pitp.command('fetch', [
      ['Watcher', 'presence:alice@a.test'],
      ['Presentity', 'presence:carol@b.test'],
    ]);
    expect(h(f.headers, 'Error-Type')).toBe('target-not-found');
    expect(h(f.headers, 'Error-Originator')).toBe('b.test');
    expect(dns.queries).toContain('SRV _presence-servers._tcp.b.test');
  });
});

describe('commands on the link we opened (part 4 row 13)', () => {
  it('are refused; the peer must use a connection it opens and authenticates', async () => {
    const log = captureLog();
    const answers: ResponseFrame[] = [];
    const fake = await startHub(cleanup, {
      config: testHubConfig({
        accounts: [{ user: 'gw-a', password: 'pw-gw-a', peerDomain: 'a.test' }],
      }),
      log: log.log,
      application: {
        async command(conn: HubConnection) {
          // Before answering A's send, push commands back over A's own connection.
          answers.push(await sendText(conn, 'im:x@b.test', 'im:alice@a.test', 'x'));
          answers.push(await conn.command('listen', [['Inbox', 'im:alice@a.test']]));
          return OK;
        },
      },
    });
    const a = await start({
      domain: 'a.test',
      peers: [peerEntry(['b.test'], { imtp: { port: fake.port }, pitp: { port: fake.port } }, plain('gw-a'))],
    });
    await listen(a, 'alice', 'im:alice@a.test');
    const bob = await a.client('bob');
    expect((await send(bob, 'im:bob@a.test', 'im:x@b.test')).status).toBe('ok');
    expect(answers.map((r) => h(r.headers, 'Error-Type'))).toEqual([
      'source-authorization',
      'source-authorization',
    ]);
    expect(
      a.logs().filter((l) => l.msg === 'peer sent a command on our outbound link; refused (part 4 row 13)'),
    ).toHaveLength(2);
  });
});
