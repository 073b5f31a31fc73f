/**
 * The operations endpoint in the core (issue 14, docs/operations.md): a whole gateway with its
 * hub, a web adapter and an IRC adapter on a real ngircd, read over HTTP on its ops port:
 * `/health`, `/ready` (503 while the IRC server is gone, 200 once the adapter is back) and
 * `/metrics` after real traffic, parsed and checked number by number. Federation: a second
 * gateway over TCP as a static peer, and a peer that cannot be reached.
 */
import { describe, expect, it } from 'vitest';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { peerEntry, useFederation } from '../support/federation.js';
import { useTestGateways, type TestGateway } from '../support/gateway.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import { tryPlain } from '../support/hub-guess.js';
import { useIrcServer } from '../support/irc.js';
import { freePorts, waitFor } from '../support/net.js';
import { metricValue, scrape } from '../support/prometheus.js';
import { signIn, TOKENS, wsUrlOf } from '../support/websocket.js';

const opsUrl = (g: TestGateway, path: string): string => {
  const at = g.gateway.addresses.ops!;
  return `http://${at.host}:${at.port}${path}`;
};

interface ReadyBody {
  ready: boolean;
  components: { name: string; ready: boolean; status: string; cause?: string }[];
}

async function ready(g: TestGateway): Promise<{ status: number; body: ReadyBody }> {
  const r = await fetch(opsUrl(g, '/ready'));
  return { status: r.status, body: (await r.json()) as ReadyBody };
}

describe('operations endpoint with IRC and web adapters', () => {
  const irc = useIrcServer();

  const start = () =>
    irc.gateway({
      adapterDefinitions: [websocketAdapter as AdapterDefinition<never>],
      adapters: [
        {
          type: 'websocket',
          domain: 'web.test',
          http: { host: '127.0.0.1', port: 0, page: false },
          auth: { tokens: [{ user: 'alice', token: TOKENS.alice }] },
        },
      ],
    });

  it('answers /health and /ready, and counts hub, router, adapter and auth figures in /metrics', async () => {
    const gw = await start();
    const health = await fetch(opsUrl(gw, '/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', state: 'running' });
    const r = await ready(gw);
    expect(r.status).toBe(200);
    expect(r.body.ready).toBe(true);
    expect(r.body.components.map((c) => [c.name, c.ready, c.status])).toEqual([
      ['gateway', true, 'running'],
      ['hub.imtp', true, 'listening'],
      ['hub.pitp', true, 'listening'],
      ['files', true, 'listening'],
      ['adapter:irc-test', true, 'online'],
      ['adapter:websocket', true, 'online'],
    ]);

    // Traffic: carol posts to the room bridged to #dev (IRC answers ok + Unreliable); a web
    // user writes to bob, who listens on the hub; one wrong password on IMTP.
    const dave = await irc.user('dave');
    await dave.join('#dev');
    const carol = await gw.client('carol');
    const posted = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'hello #dev');
    expect([posted.status, h(posted.headers, 'Unreliable')]).toEqual(['ok', 'irc.test']);
    const got = await listenAs(gw, 'bob');
    const alice = await signIn(wsUrlOf(gw), TOKENS.alice);
    expect(await alice.request({ type: 'send', to: 'im:bob@gw.test', text: 'hi bob' })).toMatchObject({
      status: 'ok',
    });
    expect(got).toHaveLength(1);
    const refused = await sendText(carol, 'im:carol@gw.test', 'im:nobody@gw.test');
    expect(h(refused.headers, 'Error-Type')).toBe('target-not-found');
    expect((await tryPlain(gw.imtp.port, '127.0.0.1', 'carol', 'wrong')).checked).toBe(1);

    const m = await scrape(opsUrl(gw, '/metrics'));
    const v = (name: string, labels: Record<string, string> = {}) => metricValue(m, name, labels);
    // Hub: connections by state, commands by method, answers by kind.
    expect(v('cpim_hub_connections', { protocol: 'imtp', state: 'authenticated' })).toBe(2);
    expect(v('cpim_hub_commands_total', { protocol: 'imtp', method: 'send' })).toBe(2);
    expect(v('cpim_hub_commands_total', { protocol: 'imtp', method: 'listen' })).toBe(1);
    expect(v('cpim_hub_answers_total', { protocol: 'imtp', answer: 'unreliable' })).toBe(1);
    expect(v('cpim_hub_answers_total', { protocol: 'imtp', answer: 'target-not-found' })).toBe(1);
    expect(v('cpim_hub_answers_total', { protocol: 'imtp', answer: 'ok' })).toBe(1);
    // Router: the room's fan-out, its copy to IRC, the web user's send to bob; the refusal.
    expect(v('cpim_router_sends_total', { route: 'room', answer: 'unreliable' })).toBe(1);
    expect(v('cpim_router_sends_total', { route: 'adapter', answer: 'unreliable' })).toBe(1);
    expect(v('cpim_router_sends_total', { route: 'local', answer: 'ok' })).toBe(1);
    expect(v('cpim_router_refused_total', { answer: 'target-not-found' })).toBe(1);
    // The IRC adapter keeps the line in its durable queue (a store is configured): ok, but queued.
    console.log(
      'STORED',
      m.filter((x) => x.name === 'cpim_router_stored_total'),
    );
    expect(v('cpim_router_delivery_seconds_count', { route: 'adapter' })).toBe(1);
    expect(v('cpim_router_delivery_seconds_bucket', { route: 'local', le: '+Inf' })).toBe(1);
    expect(v('cpim_router_delivery_seconds_sum', { route: 'local' })).toBeGreaterThan(0);
    // Adapters: up, connections, messages in and out; the web adapter's own counters.
    expect(v('cpim_adapter_up', { adapter: 'irc-test', type: 'irc', status: 'online' })).toBe(1);
    expect(v('cpim_adapter_up', { adapter: 'websocket', status: 'online' })).toBe(1);
    expect(v('cpim_adapter_connections', { adapter: 'websocket' })).toBe(1);
    expect(v('cpim_adapter_connections', { adapter: 'irc-test' })).toBe(1);
    expect(v('cpim_adapter_queued', { adapter: 'irc-test' })).toBe(0);
    expect(v('cpim_adapter_messages_total', { adapter: 'irc-test', direction: 'out' })).toBe(1);
    expect(v('cpim_adapter_messages_total', { adapter: 'websocket', direction: 'in' })).toBe(1);
    expect(v('cpim_ws_messages_sent_total', { adapter: 'websocket', status: 'ok' })).toBe(1);
    // Authentication and limits; process metrics with the prefix.
    expect(v('cpim_auth_failures_total', { listener: 'imtp' })).toBe(1);
    expect(v('cpim_rate_limited_total', { limit: 'perSender' })).toBe(0);
    expect(v('cpim_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // The web adapter's own /metrics serves the same registry.
    const web = (gw.gateway.adapters[1]!.adapter as WebSocketAdapter).address!;
    const own = await scrape(`http://${web.host}:${web.port}/metrics`);
    expect(metricValue(own, 'cpim_router_sends_total', { route: 'local', answer: 'ok' })).toBe(1);
  });

  it('/ready is 503 while the IRC server is gone and 200 once the adapter is back', async () => {
    const gw = await start();
    expect((await ready(gw)).status).toBe(200);
    await irc.server.kill();
    await waitFor(() => gw.gateway.adapters[0]!.status === 'offline', 3000, 'offline status');
    const down = await ready(gw);
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.components.find((c) => c.name === 'adapter:irc-test')).toMatchObject({
      ready: false,
      status: 'offline',
      cause: expect.stringContaining('reconnecting') as unknown,
    });
    expect(down.body.components.find((c) => c.name === 'adapter:websocket')?.ready).toBe(true);
    const m = await scrape(opsUrl(gw, '/metrics'));
    expect(metricValue(m, 'cpim_adapter_up', { adapter: 'irc-test', status: 'offline' })).toBe(0);
    await irc.restart();
    await waitFor(() => gw.gateway.adapters[0]!.status === 'online', 5000, 'online again');
    expect((await ready(gw)).status).toBe(200);
  });

  it('answers only GET and HEAD on known paths', async () => {
    const gw = await start();
    expect((await fetch(opsUrl(gw, '/nope'))).status).toBe(404);
    expect((await fetch(opsUrl(gw, '/metrics'), { method: 'POST' })).status).toBe(405);
    const head = await fetch(opsUrl(gw, '/health'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('operations endpoint: sends kept rather than delivered (issue 15)', () => {
  const startGateway = useTestGateways();

  it('counts Stored: offline and Stored: history apart from the ok answers that were delivered', async () => {
    const gw = await startGateway({
      config: {
        rooms: [
          { name: 'lobby', address: 'im:lobby@gw.test', members: ['im:alice@gw.test', 'im:bob@gw.test'] },
        ],
      },
    });
    const alice = await gw.client('alice');
    // Bob is away: his message is kept for him, and so is his copy of the room post, which
    // the room answers Stored: history (docs/hub-protocol.md part 4 rows 23 and 33).
    const kept = await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'while away');
    expect(h(kept.headers, 'Stored')).toBe('offline');
    const posted = await sendText(alice, 'im:alice@gw.test', 'im:lobby@gw.test', 'anyone?');
    expect(h(posted.headers, 'Stored')).toBe('history');
    // Bob is back: both kept messages are delivered to him, then a live one.
    const got = await listenAs(gw, 'bob');
    await waitFor(() => got.length >= 2 || undefined);
    const live = await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'now');
    expect(h(live.headers, 'Stored')).toBeUndefined();

    const m = await scrape(opsUrl(gw, '/metrics'));
    const v = (name: string, labels: Record<string, string>) => metricValue(m, name, labels);
    expect(v('cpim_router_stored_total', { route: 'local', kind: 'offline' })).toBe(2);
    expect(v('cpim_router_stored_total', { route: 'room', kind: 'history' })).toBe(1);
    expect(v('cpim_router_stored_total', { kind: 'queued' })).toBeUndefined();
    // The kept ones are sends too (ok + Unreliable); the drained and the live ones are plain ok.
    expect(v('cpim_router_sends_total', { route: 'local', answer: 'unreliable' })).toBe(2);
    expect(v('cpim_router_sends_total', { route: 'local', answer: 'ok' })).toBe(3);
    expect(v('cpim_router_sends_total', { route: 'room', answer: 'unreliable' })).toBe(1);
  });
});

describe('operations endpoint with federation', () => {
  const fed = useFederation();

  it('shows static peer links: idle and ready, up after use, a failed one not ready', async () => {
    const [bi, bp, dead] = await freePorts(3);
    const B = { imtp: { port: bi! }, pitp: { port: bp! } };
    const a = await fed.start({
      domain: 'a.test',
      peers: [
        peerEntry(['b.test'], B, { user: 'gw-a', password: 'secret-a' }),
        peerEntry(
          ['dead.test'],
          { imtp: { port: dead! }, pitp: { port: dead! } },
          { user: 'x', password: 'x' },
        ),
      ],
      federation: { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } },
    });
    const b = await fed.start({
      domain: 'b.test',
      ports: { imtp: bi!, pitp: bp! },
      peerAccounts: [{ user: 'gw-a', password: 'secret-a', peerDomain: 'a.test' }],
    });
    const first = await ready(a);
    expect(first.status).toBe(200);
    expect(first.body.components.filter((c) => c.name.startsWith('peer:'))).toMatchObject([
      { name: 'peer:b.test', ready: true, status: 'idle' },
      { name: 'peer:dead.test', ready: true, status: 'idle' },
    ]);

    await listenAs(b, 'bob', 'im:bob@b.test');
    const alice = await a.client('alice');
    expect((await sendText(alice, 'im:alice@a.test', 'im:bob@b.test')).status).toBe('ok');
    const lost = await sendText(alice, 'im:alice@a.test', 'im:x@dead.test');
    expect(h(lost.headers, 'Error-Type')).toBe('communications');

    const after = await ready(a);
    expect(after.status).toBe(503);
    expect(after.body.components.filter((c) => c.name.startsWith('peer:'))).toMatchObject([
      { name: 'peer:b.test', ready: true, status: 'up' },
      {
        name: 'peer:dead.test',
        ready: false,
        status: 'down',
        cause: expect.stringContaining('1 failed') as unknown,
      },
    ]);
    const m = await scrape(opsUrl(a, '/metrics'));
    const v = (name: string, labels: Record<string, string>) => metricValue(m, name, labels);
    expect(v('cpim_federation_link_state', { peer: 'b.test', protocol: 'imtp', state: 'up' })).toBe(1);
    expect(v('cpim_federation_link_state', { peer: 'b.test', protocol: 'pitp', state: 'idle' })).toBe(1);
    expect(v('cpim_federation_link_state', { peer: 'dead.test', protocol: 'imtp', state: 'down' })).toBe(1);
    expect(v('cpim_federation_link_failures', { peer: 'dead.test', protocol: 'imtp' })).toBe(1);
    expect(v('cpim_router_sends_total', { route: 'remote', answer: 'ok' })).toBe(1);
    expect(v('cpim_router_sends_total', { route: 'remote', answer: 'communications' })).toBe(1);
  });
});
