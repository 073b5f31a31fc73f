/**
 * Issue 15 (docs/hub-protocol.md part 4 row 35): presence survives a restart of the
 * presentity's gateway. Two real gateways linked over TCP: A (gw.test) holds alice's presentity
 * and keeps its state in a SQLite file; B (b.test) holds the watcher, a native PITP client whose
 * subscription A keeps as the peer's (inter-domain subscriptions outlive connections, part 4 row
 * 15). After A restarts on the same file and ports, the watcher is sent alice's last document
 * again, and a fetch on A returns it, though alice published nothing since.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { eventually, peerEntry } from '../support/federation.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { freePorts, waitFor } from '../support/net.js';
import { fetchAs, h, publish } from '../support/presence.js';
import { PIDF, pidf } from '../support/presence-documents.js';

type Ports = { imtp: number; pitp: number };

function gateway(
  domain: string,
  ports: Ports,
  clients: readonly string[],
  peerAccount: { user: string; password: string; peerDomain: string },
  peer: Record<string, unknown>,
  storage: Record<string, unknown>,
): Promise<TestGateway> {
  return startTestGateway({
    domain,
    logLevel: 'warn',
    config: {
      gateway: { domains: [domain] },
      hub: {
        imtp: { host: '127.0.0.1', port: ports.imtp },
        pitp: { host: '127.0.0.1', port: ports.pitp },
        sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
        accounts: [
          ...clients.map((u) => ({
            user: u,
            password: u,
            identities: [`im:${u}@${domain}`, `pres:${u}@${domain}`],
          })),
          peerAccount,
        ],
      },
      peers: [peer],
      federation: { reconnect: { initialDelayMs: 50, maxDelayMs: 400 } },
      storage,
    },
  });
}

describe('presence across a restart of the presentity’s gateway', () => {
  const running: TestGateway[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    await Promise.all(running.splice(0).map((g) => g.stop()));
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("a peer's watcher gets the last document again after the restart, and a fetch returns it", async () => {
    dir = mkdtempSync(join(tmpdir(), 'persist-presence-'));
    const [ai, ap, bi, bp] = await freePorts(4);
    const A: Ports = { imtp: ai!, pitp: ap! };
    const B: Ports = { imtp: bi!, pitp: bp! };
    const startA = () =>
      gateway(
        'gw.test',
        A,
        ['alice', 'bob'],
        { user: 'gw-b', password: 'secret-b', peerDomain: 'b.test' },
        peerEntry(
          ['b.test'],
          { imtp: { port: B.imtp }, pitp: { port: B.pitp } },
          { user: 'gw-a', password: 'secret-a' },
        ),
        { backend: 'sqlite', path: join(dir!, 'a.sqlite') },
      );
    let a = await startA();
    running.push(a);
    const b = await gateway(
      'b.test',
      B,
      ['dave'],
      { user: 'gw-a', password: 'secret-a', peerDomain: 'gw.test' },
      peerEntry(
        ['gw.test'],
        { imtp: { port: A.imtp }, pitp: { port: A.pitp } },
        { user: 'gw-b', password: 'secret-b' },
      ),
      { backend: 'none' },
    );
    running.push(b);

    const P = 'presence:alice@gw.test';
    const alice = await a.client('alice', 'pitp');
    await publish(alice, P, pidf('pres:alice@gw.test', 'open'), PIDF, true);
    const last = pidf('pres:alice@gw.test', 'closed');
    await publish(alice, P, last, PIDF, false);

    const notified: CommandFrame[] = [];
    const dave = await b.client('dave', 'pitp', (c) => {
      notified.push(c);
      return { status: 'ok', headers: [] };
    });
    // Until B's link to A is up the subscribe may fail with `communications`: retry it.
    await eventually(async () => {
      const r = await dave.command('subscribe', [
        ['Subscription', '/presence:dave@b.test'],
        ['Presentity', P],
      ]);
      return r.status === 'ok';
    }, 100);

    running.splice(running.indexOf(a), 1);
    await a.stop();
    expect(notified).toEqual([]);
    a = await startA();
    running.push(a);

    const again = await waitFor(() => notified.find((c) => c.method === 'change-notify'), 10_000);
    expect(h(again.headers, 'Presentity')).toBe(P);
    expect(h(again.headers, 'Subscription')).toBe('/presence:dave@b.test');
    expect(Buffer.from(again.payload!).equals(Buffer.from(last))).toBe(true);

    const bob = await a.client('bob', 'pitp');
    const fetched = await fetchAs(bob, 'presence:bob@gw.test', P);
    expect(h(fetched.headers, 'Content-Type')).toBe(PIDF);
    expect(Buffer.from(fetched.payload!).equals(Buffer.from(last))).toBe(true);
  });
});
