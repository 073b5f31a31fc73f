/**
 * Issue 12 end to end: web users named by signed tokens sign in and leave; the router keeps at
 * most `limits.maxIdlePresentities` of their closed, unwatched presence stores. A hub watcher
 * then finds a forgotten user exactly as one never seen, and a watched one stays.
 */
import { describe, expect, it } from 'vitest';
import { mintToken, websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { HubClient } from '../../src/hub/client.js';
import { useTestGateways } from '../support/gateway.js';
import { h } from '../support/hub-calls.js';
import { sleep } from '../support/net.js';
import { SECRET, signIn } from '../support/websocket.js';

const fetch = (c: HubClient, user: string) =>
  c.command('fetch', [
    ['Watcher', 'pres:carol@gw.test'],
    ['Presentity', `pres:${user}@web.test`],
  ]);
/** Polls until `probe` holds (the adapter publishes in the background). */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
const says = (a: { payload?: Uint8Array }, basic: string) =>
  Buffer.from(a.payload ?? [])
    .toString('utf8')
    .includes(`<basic>${basic}</basic>`);

describe('limits.maxIdlePresentities with the web adapter (issue 12)', () => {
  const startGateway = useTestGateways();

  it('web users who left are forgotten past the bound; a watched one is kept', async () => {
    const gw = await startGateway({
      adapterDefinitions: [websocketAdapter as AdapterDefinition<never>],
      logLevel: 'warn',
      config: {
        limits: { maxIdlePresentities: 5 },
        adapters: [
          { type: 'websocket', domain: 'web.test', http: { port: 0 }, auth: { hmacSecret: SECRET } },
        ],
      },
    });
    const at = (gw.gateway.adapters[0]!.adapter as WebSocketAdapter).address!;
    const url = `ws://${at.host}:${at.port}/ws`;
    const carol = await gw.client('carol', 'pitp', () => ({ status: 'ok', headers: [] }));
    const churn = async (user: string, whileOnline?: () => Promise<void>) => {
      const c = await signIn(url, await mintToken(SECRET, user, 600));
      await until(async () => says(await fetch(carol, user), 'open'), `${user} open`);
      await whileOnline?.();
      c.close();
      await c.closed;
      await until(async () => says(await fetch(carol, user), 'closed'), `${user} closed`);
    };
    // Carol watches `kept` while it is online; it stays watched after it leaves.
    await churn('kept', async () => {
      const sub = await carol.command('subscribe', [
        ['Subscription', '/pres:carol@gw.test'],
        ['Presentity', 'pres:kept@web.test'],
      ]);
      expect(sub.status).toBe('ok');
    });
    for (let i = 0; i < 12; i++) await churn(`u${i}`);
    // The five most recent leavers answer closed; older ones as if never seen.
    for (let i = 7; i < 12; i++) expect(says(await fetch(carol, `u${i}`), 'closed')).toBe(true);
    const forgotten = await fetch(carol, 'u6');
    const never = await fetch(carol, 'nobody');
    expect(h(forgotten.headers, 'Error-Type')).toBe('target-not-found');
    expect(forgotten.headers).toEqual(never.headers);
    expect(says(await fetch(carol, 'kept'), 'closed')).toBe(true);
  });
});
