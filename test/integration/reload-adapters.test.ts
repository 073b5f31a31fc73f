/**
 * Reloading `adapters:` (docs/operations-reload.md): an adapter whose section changed is
 * restarted alone (its users reconnect to it) while a user of another adapter and a hub client
 * stay connected; web sign-in tokens change in place; added and removed adapters start and stop.
 * Real WebSocket clients against the web adapters on loopback.
 */
import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { listenAs } from '../support/hub-calls.js';
import { canConnect, freePort } from '../support/net.js';
import { account, baseConfig, checked, startFrom, type Raw } from '../support/reload.js';
import { stopAfterEach } from '../support/stop-after.js';
import { signIn, TOKENS, type TestClient } from '../support/websocket.js';
import type { TestGateway } from '../support/gateway.js';

const start = stopAfterEach(startFrom);
const DEFS = [websocketAdapter as AdapterDefinition<never>];
const ERIN = 'erin-token-0123456789';

function web(id: string, extra: Raw = {}, tokens: Record<string, string> = TOKENS): Raw {
  return {
    type: 'websocket',
    id,
    domain: `${id}.test`,
    http: { host: '127.0.0.1', port: 0, page: false },
    auth: { tokens: Object.entries(tokens).map(([user, token]) => ({ user, token })) },
    ...extra,
  };
}

const config = (adapters: Raw[]) =>
  checked(baseConfig([account('alice'), account('bob')], { adapters }), DEFS);

function wsUrl(g: TestGateway, id: string): string {
  const hosted = g.gateway.adapters.find((a) => a.id === id)!;
  const at = (hosted.adapter as WebSocketAdapter).address!;
  return `ws://${at.host}:${at.port}/ws`;
}

/** A web user's message to the hub user bob, answered ok, arrives. */
async function reachesBob(c: TestClient, bob: unknown[], text: string): Promise<void> {
  const before = bob.length;
  expect(await c.request({ type: 'send', to: 'im:bob@gw.test', text })).toMatchObject({ status: 'ok' });
  expect(bob.length).toBe(before + 1);
}

describe('adapters', () => {
  it('a changed section restarts that adapter alone; the other adapter and the hub keep their users', async () => {
    const g = await start(
      baseConfig([account('alice'), account('bob')], { adapters: [web('web1'), web('web2')] }),
      DEFS,
    );
    const alice = await g.client('alice');
    const bob = await listenAs(g, 'bob');
    const one = await signIn(wsUrl(g, 'web1'), TOKENS.alice);
    const two = await signIn(wsUrl(g, 'web2'), TOKENS.alice);

    const r = await g.gateway.reload(config([web('web1'), web('web2', { limits: { maxTextBytes: 100 } })]));
    expect(r).toMatchObject({ ok: true, changes: ['adapter web2 restarted'] });

    expect((await two.closed).code).toBe(1001);
    expect(one.ws.readyState).toBe(WebSocket.OPEN);
    await reachesBob(one, bob, 'web1 still here');
    expect(alice.connection.closed).toBe(false);
    // Web2's users reconnect to it, and its new section is in force.
    const again = await signIn(wsUrl(g, 'web2'), TOKENS.alice);
    expect(await again.request({ type: 'send', to: 'im:bob@gw.test', text: 'x'.repeat(200) })).toMatchObject({
      status: 'error',
      errorType: 'quota',
    });
    await reachesBob(again, bob, 'short');
    one.close();
    again.close();
  });

  it('web tokens change in place: a new token signs in, a removed one is cut off, the rest stay', async () => {
    const g = await start(baseConfig([account('alice'), account('bob')], { adapters: [web('web1')] }), DEFS);
    const url = wsUrl(g, 'web1');
    const alice = await signIn(url, TOKENS.alice);
    const dave = await signIn(url, TOKENS.dave);
    await expect(signIn(url, ERIN)).rejects.toThrow();

    const tokens = { alice: TOKENS.alice, bob: TOKENS.bob, erin: ERIN };
    const r = await g.gateway.reload(config([web('web1', {}, tokens)]));
    expect(r).toMatchObject({ ok: true, changes: ['adapter web1 reconfigured in place'] });

    expect(wsUrl(g, 'web1')).toBe(url);
    expect((await dave.closed).code).toBe(4003);
    const erin = await signIn(url, ERIN);
    expect(alice.ws.readyState).toBe(WebSocket.OPEN);
    const bob = await listenAs(g, 'bob');
    await reachesBob(alice, bob, 'alice stayed');
    await reachesBob(erin, bob, 'erin is new');
    alice.close();
    erin.close();
  });

  it('an added adapter starts and a removed one stops, alone', async () => {
    const g = await start(baseConfig([account('alice'), account('bob')], { adapters: [web('web1')] }), DEFS);
    const one = await signIn(wsUrl(g, 'web1'), TOKENS.alice);

    const added = await g.gateway.reload(config([web('web1'), web('web3')]));
    expect(added).toMatchObject({ ok: true, changes: ['adapter web3 started'] });
    const url3 = wsUrl(g, 'web3');
    const three = await signIn(url3, TOKENS.bob);
    const port3 = Number(new URL(url3).port);

    const removed = await g.gateway.reload(config([web('web1')]));
    expect(removed).toMatchObject({ ok: true, changes: ['adapter web3 stopped'] });
    expect((await three.closed).code).toBe(1001);
    expect(await canConnect(port3)).toBe(false);
    expect(g.gateway.adapters.map((a) => a.id)).toEqual(['web1']);
    const bob = await listenAs(g, 'bob');
    await reachesBob(one, bob, 'web1 unaffected');
    one.close();
  });

  it('an adapter that cannot start is reported, stays stopped, and is tried again by the next reload', async () => {
    const g = await start(baseConfig([account('alice'), account('bob')], { adapters: [web('web1')] }), DEFS);
    const one = await signIn(wsUrl(g, 'web1'), TOKENS.alice);
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const edit = config([web('web1'), web('web3', { http: { host: '127.0.0.1', port, page: false } })]);
    try {
      const r = await g.gateway.reload(edit);
      expect(r.ok).toBe(false);
      expect(r.problems).toEqual([
        {
          path: 'adapters[1]',
          message: `did not start: cannot listen on 127.0.0.1:${port} (adapters[1].http.port): address in use`,
        },
      ]);
      expect(g.gateway.adapters.map((a) => a.id)).toEqual(['web1']);
      expect(one.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const again = await g.gateway.reload(edit);
    expect(again).toMatchObject({ ok: true, changes: ['adapter web3 started'] });
    expect(await canConnect(port)).toBe(true);
    one.close();
  });
});
