/**
 * Issue 12, the presence format matrix across federation: two real gateways linked over TCP
 * (docs/architecture.md part 10). Gateway A (gw.test) holds the presentities: hub clients publishing Hudson
 * `application/presence` open/closed, PIDF and an unknown format, and web users of A's WebSocket
 * adapter. Gateway B (b.test) holds the watchers: a native PITP client and a web watcher through
 * B's WebSocket adapter. A sends its peer what was published (verbatim); B translates for its own
 * watchers (docs/hub-protocol.md part 5.4).
 *
 * Both web adapters serve their gateway's own domain: a peer account speaks for one domain
 * (draft §8.1, docs/federation.md), so the watchers on B and the presentities on A must be in
 * the domains the two links authenticate as. (docs/adapters/web-chat.md advises against this because the
 * adapter then takes the domain's IMTP inboxes from hub clients; only presence is used here, and
 * the presence store stays in the router.) Presentities of an adapter's own domain (web.test,
 * irc.test) on A are not federated here: B would refuse A's change-notify for them
 * (`source-authorization`, the link speaks for gw.test only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { websocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { HubClient } from '../../src/hub/client.js';
import { eventually, peerEntry } from '../support/federation.js';
import { freePorts } from '../support/net.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { hudson, hudsonContacts, pidf, pidfBasic, PIDF, TEXT } from '../support/presence-documents.js';
import { NOT_TRANSLATED, fetchAs, h, publish, webSees } from '../support/presence.js';
import { signIn, TOKENS, webAdapterEntry, wsUrlOf, type TestClient } from '../support/websocket.js';

/** A gateway for `domain` with hub clients, one peer account, one static peer and a web adapter. */
function gateway(
  domain: string,
  ports: { imtp: number; pitp: number },
  clients: readonly string[],
  peerAccount: { user: string; password: string; peerDomain: string },
  peer: Record<string, unknown>,
): Promise<TestGateway> {
  return startTestGateway({
    domain,
    adapterDefinitions: [websocketAdapter as AdapterDefinition<never>],
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
      adapters: [webAdapterEntry(domain)],
    },
  });
}

let a: TestGateway;
let b: TestGateway;
/** Native watcher on B. */
let dave: HubClient;
/** Web watcher on B: web user alice, pres:alice@b.test. */
let watcher: TestClient;
const DAVE = 'presence:dave@b.test';

beforeAll(async () => {
  const [ai, ap, bi, bp] = await freePorts(4);
  const A = { imtp: { port: ai! }, pitp: { port: ap! } };
  const B = { imtp: { port: bi! }, pitp: { port: bp! } };
  a = await gateway(
    'gw.test',
    { imtp: ai!, pitp: ap! },
    ['alice', 'bob', 'carol'],
    { user: 'gw-b', password: 'secret-b', peerDomain: 'b.test' },
    peerEntry(['b.test'], B, { user: 'gw-a', password: 'secret-a' }),
  );
  b = await gateway(
    'b.test',
    { imtp: bi!, pitp: bp! },
    ['dave'],
    { user: 'gw-a', password: 'secret-a', peerDomain: 'gw.test' },
    peerEntry(['gw.test'], A, { user: 'gw-b', password: 'secret-b' }),
  );
  dave = await b.client('dave', 'pitp', () => ({ status: 'ok', headers: [] }));
  watcher = await signIn(wsUrlOf(b), TOKENS.alice);
}, 30_000);

afterAll(async () => {
  watcher?.close();
  await Promise.all([b?.stop(), a?.stop()]);
});

/** B's web watcher watches `who` on A; the first frame for it must show `state`. */
async function watchOnB(who: string, state: string): Promise<void> {
  // Until both links are up the subscribe may fail with `communications`: retry it.
  await eventually(async () => {
    const r = await watcher.request({ type: 'watch', who });
    return r.type === 'result' && r.status === 'ok';
  }, 100);
  await webSees(watcher, who, state);
}

describe('presence format matrix across two federated gateways', () => {
  it('application/presence open is online to a federated web watcher, closed offline; native watchers get it verbatim or as asked', async () => {
    const alice = await a.client('alice', 'pitp');
    const P = 'presence:alice@gw.test';
    await publish(alice, P, hudson('im:alice@gw.test', 'open'), TEXT, true);
    await watchOnB('pres:alice@gw.test', 'online');

    // B's native client without Accept gets what A's client published: A relayed it verbatim.
    const plain = await fetchAs(dave, DAVE, P);
    expect(h(plain.headers, 'Content-Type')).toBe(TEXT);
    expect(Buffer.from(plain.payload!).equals(Buffer.from(hudson('im:alice@gw.test', 'open')))).toBe(true);
    // With Accept, B translates the relayed answer for its client.
    const asPidf = await fetchAs(dave, DAVE, P, PIDF);
    expect(h(asPidf.headers, 'Content-Type')).toBe(PIDF);
    expect(pidfBasic(asPidf.payload)).toBe('open');

    const mark = watcher.frames.length;
    await publish(alice, P, hudson('im:alice@gw.test', 'closed'), TEXT, false);
    await webSees(watcher, 'pres:alice@gw.test', 'offline', mark);
    expect(pidfBasic((await fetchAs(dave, DAVE, P, PIDF)).payload)).toBe('closed');
  });

  it('PIDF from a native client on A: verbatim across, Hudson’s format for a native watcher asking for it', async () => {
    const bob = await a.client('bob', 'pitp');
    const P = 'presence:bob@gw.test';
    const doc = pidf('pres:bob@gw.test', 'open');
    await publish(bob, P, doc, PIDF, true);
    await watchOnB('pres:bob@gw.test', 'online');
    const plain = await fetchAs(dave, DAVE, P);
    expect(h(plain.headers, 'Content-Type')).toBe(PIDF);
    expect(Buffer.from(plain.payload!).equals(Buffer.from(doc))).toBe(true);
    expect(hudsonContacts((await fetchAs(dave, DAVE, P, TEXT)).payload)).toEqual([
      ['im:bob@gw.test', 'open'],
    ]);
    const mark = watcher.frames.length;
    await publish(bob, P, pidf('pres:bob@gw.test', 'closed'), PIDF, false);
    await webSees(watcher, 'pres:bob@gw.test', 'offline', mark);
  });

  it('what A’s web adapter publishes: online and offline to B’s web watcher, verbatim PIDF to B’s native client', async () => {
    const P = 'presence:dave@gw.test';
    const publisher = await signIn(wsUrlOf(a), TOKENS.dave);
    await eventually(
      async () =>
        (
          await dave.command('fetch', [
            ['Watcher', DAVE],
            ['Presentity', P],
          ])
        ).status === 'ok',
      100,
    );
    await watchOnB('pres:dave@gw.test', 'online');
    const plain = await fetchAs(dave, DAVE, P);
    expect(h(plain.headers, 'Content-Type')).toBe(PIDF);
    expect(pidfBasic(plain.payload)).toBe('open');
    expect(hudsonContacts((await fetchAs(dave, DAVE, P, TEXT)).payload)).toEqual([
      ['im:dave@gw.test', 'open'],
    ]);
    const mark = watcher.frames.length;
    publisher.close();
    await webSees(watcher, 'pres:dave@gw.test', 'offline', mark);
  });

  it('an unknown format crosses verbatim, shows unknown on B’s web watcher, and B warns once per relayed copy', async () => {
    const carol = await a.client('carol', 'pitp');
    const P = 'presence:carol@gw.test';
    await publish(carol, P, new TextEncoder().encode('mood: grumpy'), 'text/x-mood', true);
    await watchOnB('pres:carol@gw.test', 'unknown');
    const plain = await fetchAs(dave, DAVE, P, PIDF);
    expect(h(plain.headers, 'Content-Type')).toBe('text/x-mood');
    expect(Buffer.from(plain.payload!).toString()).toBe('mood: grumpy');
    // A's peer is given the PI as published, so A has nothing to translate or warn about.
    expect(a.logs().filter((l) => l.msg === NOT_TRANSLATED)).toEqual([]);
    // B cannot tell versions of a relayed PI apart: each relayed copy (here the subscribe answer
    // for the web watcher and the fetch answer for dave) is warned about once.
    const warns = b.logs().filter((l) => l.msg === NOT_TRANSLATED);
    expect(warns.map((l) => [l.level, l.contentType, l.acceptType])).toEqual([
      [40, 'text/x-mood', PIDF],
      [40, 'text/x-mood', PIDF],
    ]);
  });
});
