/**
 * Issue 12, the presence format matrix on one gateway: publisher format (Hudson
 * `application/presence` open/closed, labelled and unlabelled; PIDF; what the web adapter
 * publishes; what the IRC adapter publishes from a real ngircd; an unknown format) × watcher kind
 * (a native PITP client over TCP, with and without an `Accept` header; a web watcher through the
 * real WebSocket adapter; an IRC user on ngircd asking the gateway's nick `!presence ADDRESS`).
 * The federated watcher is in presence-federated.test.ts.
 *
 * Not in the matrix: email (mail has no presence: capabilities `presence: 'none'`, fetch and
 * subscribe of mailboxes are `target-not-found`; it neither publishes nor watches).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ircAdapter } from '../../adapters/irc/index.js';
import { websocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { HubClient } from '../../src/hub/client.js';
import { eventually } from '../support/federation.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { hudson, hudsonContacts, pidf, pidfBasic, PIDF, TEXT } from '../support/presence-documents.js';
import { NOT_TRANSLATED, fetchAs, h, publish, webSees } from '../support/presence.js';
import { signIn, TOKENS, webAdapterEntry, wsUrlOf, type TestClient } from '../support/websocket.js';
import { ircAdapterConfig, ircUser, type IrcUser } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { startNgircd, type Ngircd } from '../support/ngircd.js';

const OK = { status: 'ok' as const, headers: [] };

let server: Ngircd;
let gw: TestGateway;
let web: string;
/** Native PITP watcher (carol) and the notifies it received. */
let carol: HubClient;
const notes: CommandFrame[] = [];
/** Web watcher: web user alice (pres:alice@web.test). */
let watcher: TestClient;
const irc: IrcUser[] = [];
/** IRC watcher: nick ivan on ngircd, asking the gateway's nick. */
let ivan: IrcUser;

beforeAll(async () => {
  server = await startNgircd();
  gw = await startTestGateway({
    adapterDefinitions: [ircAdapter, websocketAdapter] as AdapterDefinition<never>[],
    logLevel: 'warn',
    config: {
      adapters: [
        ircAdapterConfig(server.port, { channels: [{ name: '#presence' }] }),
        webAdapterEntry('web.test'),
      ],
    },
  });
  web = wsUrlOf(gw);
  carol = await gw.client('carol', 'pitp', (c) => {
    notes.push(c);
    return OK;
  });
  watcher = await signIn(web, TOKENS.alice);
  ivan = await ircUser(server.port, 'ivan');
  irc.push(ivan);
}, 30_000);

afterAll(async () => {
  watcher?.close();
  for (const u of irc.splice(0)) await u.quit();
  await gw?.stop();
  await server?.stop();
});

const CAROL = 'presence:carol@gw.test';

/** The IRC watcher asks for `who` (a pres: URI) and must be told it is in `state`. */
async function ircSees(who: string, state: string): Promise<void> {
  const from = ivan.lines.length;
  ivan.client.say('gwbot', `!presence ${who}`);
  await waitFor(
    () =>
      ivan.lines
        .slice(from)
        .find((l) => l.kind === 'notice' && l.nick === 'gwbot' && l.message.startsWith(`${who} is ${state}`)),
    5000,
    `IRC watcher told ${who} is ${state}; got ${JSON.stringify(ivan.lines.slice(from).map((l) => l.message))}`,
  );
}

/** carol's fetch of `presentity`, whatever the answer (for polling until it exists). */
const fetchRaw = (presentity: string) =>
  carol.command('fetch', [
    ['Watcher', CAROL],
    ['Presentity', presentity],
  ]);

describe('presence format matrix (one gateway)', () => {
  it('application/presence open is online to a web watcher, closed offline; native clients get it as published or as asked', async () => {
    const alice = await gw.client('alice', 'pitp');
    const P = 'presence:alice@gw.test';
    await publish(alice, P, hudson('im:alice@gw.test', 'open'), TEXT, true);

    expect(await watcher.request({ type: 'watch', who: 'pres:alice@gw.test' })).toMatchObject({
      status: 'ok',
    });
    await webSees(watcher, 'pres:alice@gw.test', 'online');
    await ircSees('pres:alice@gw.test', 'online');

    // Native, no Accept: the octets as published, with their label.
    const plain = await fetchAs(carol, CAROL, P);
    expect(h(plain.headers, 'Content-Type')).toBe(TEXT);
    expect(Buffer.from(plain.payload!).equals(Buffer.from(hudson('im:alice@gw.test', 'open')))).toBe(true);
    // Native, accepting both: the published form is among them, so it is not translated.
    const both = await fetchAs(carol, CAROL, P, `${PIDF}, ${TEXT}`);
    expect(h(both.headers, 'Content-Type')).toBe(TEXT);
    // Native, Accept PIDF: translated, the entity taken from the Presentity header.
    const asPidf = await fetchAs(carol, CAROL, P, PIDF);
    expect(h(asPidf.headers, 'Content-Type')).toBe(PIDF);
    expect(pidfBasic(asPidf.payload)).toBe('open');
    expect(Buffer.from(asPidf.payload!).toString()).toContain('entity="pres:alice@gw.test"');

    // A subscriber asking for PIDF gets each change translated.
    const sub = await carol.command('subscribe', [
      ['Subscription', `/${CAROL}`],
      ['Presentity', P],
      ['Accept', PIDF],
    ]);
    expect(sub.status).toBe('ok');
    expect(pidfBasic(sub.payload)).toBe('open');
    const mark = watcher.frames.length;
    const seen = notes.length;
    await publish(alice, P, hudson('im:alice@gw.test', 'closed'), TEXT, false);
    await webSees(watcher, 'pres:alice@gw.test', 'offline', mark);
    await ircSees('pres:alice@gw.test', 'offline');
    await waitFor(() => notes.length > seen, 5000, 'change-notify');
    const note = notes[seen]!;
    expect(note.method).toBe('change-notify');
    expect(h(note.headers, 'Content-Type')).toBe(PIDF);
    expect(pidfBasic(note.payload)).toBe('closed');
  });

  it('application/presence without Content-Type (the PITP default) is read as Hudson’s format', async () => {
    const bob = await gw.client('bob', 'pitp');
    const P = 'presence:bob@gw.test';
    await publish(bob, P, hudson('im:bob@gw.test', 'open'), undefined, true);
    expect(await watcher.request({ type: 'watch', who: 'pres:bob@gw.test' })).toMatchObject({ status: 'ok' });
    await webSees(watcher, 'pres:bob@gw.test', 'online');
    await ircSees('pres:bob@gw.test', 'online');
    const plain = await fetchAs(carol, CAROL, P);
    expect(h(plain.headers, 'Content-Type')).toBeUndefined();
    expect(hudsonContacts(plain.payload)).toEqual([['im:bob@gw.test', 'open']]);
    const mark = watcher.frames.length;
    await publish(bob, P, hudson('im:bob@gw.test', 'closed'), undefined, false);
    await webSees(watcher, 'pres:bob@gw.test', 'offline', mark);
    await ircSees('pres:bob@gw.test', 'offline');
    // PIDF published the same way (no label) is recognised as XML and shown too.
    const mark2 = watcher.frames.length;
    await publish(bob, P, pidf('pres:bob@gw.test', 'open'), undefined, false);
    await webSees(watcher, 'pres:bob@gw.test', 'online', mark2);
  });

  it('PIDF from a native client: verbatim to native clients and the web watcher, Hudson’s format on request', async () => {
    const owner = await gw.client('carol', 'pitp');
    const P = 'presence:carol@gw.test';
    const doc = pidf('pres:carol@gw.test', 'open');
    await publish(owner, P, doc, PIDF, true);
    expect(await watcher.request({ type: 'watch', who: P })).toMatchObject({ status: 'ok' });
    await webSees(watcher, 'pres:carol@gw.test', 'online');
    await ircSees('pres:carol@gw.test', 'online');
    const plain = await fetchAs(carol, CAROL, P);
    expect(h(plain.headers, 'Content-Type')).toBe(PIDF);
    expect(Buffer.from(plain.payload!).equals(Buffer.from(doc))).toBe(true);
    const text = await fetchAs(carol, CAROL, P, TEXT);
    expect(h(text.headers, 'Content-Type')).toBe(TEXT);
    expect(hudsonContacts(text.payload)).toEqual([['im:carol@gw.test', 'open']]);
    const mark = watcher.frames.length;
    await publish(owner, P, pidf('pres:carol@gw.test', 'closed'), PIDF, false);
    await webSees(watcher, 'pres:carol@gw.test', 'offline', mark);
    await ircSees('pres:carol@gw.test', 'offline');
    expect(hudsonContacts((await fetchAs(carol, CAROL, P, TEXT)).payload)).toEqual([
      ['im:carol@gw.test', 'closed'],
    ]);
  });

  it('what the web adapter publishes (PIDF + RPID): native clients get it verbatim or as Hudson’s format', async () => {
    const P = 'presence:dave@web.test';
    const dave = await signIn(web, TOKENS.dave);
    expect(await watcher.request({ type: 'watch', who: 'dave' })).toMatchObject({ status: 'ok' });
    await webSees(watcher, 'pres:dave@web.test', 'online');
    await ircSees('pres:dave@web.test', 'online');
    await eventually(async () => (await fetchRaw(P)).status === 'ok', 250);
    const plain = await fetchAs(carol, CAROL, P);
    expect(h(plain.headers, 'Content-Type')).toBe(PIDF);
    expect(pidfBasic(plain.payload)).toBe('open');
    const text = await fetchAs(carol, CAROL, P, TEXT);
    expect(hudsonContacts(text.payload)).toEqual([['im:dave@web.test', 'open']]);
    const mark = watcher.frames.length;
    dave.close();
    await webSees(watcher, 'pres:dave@web.test', 'offline', mark);
    await ircSees('pres:dave@web.test', 'offline');
    expect(hudsonContacts((await fetchAs(carol, CAROL, P, TEXT)).payload)).toEqual([
      ['im:dave@web.test', 'closed'],
    ]);
  });

  it('what the IRC adapter publishes (PIDF from ngircd membership): web watcher and native clients', async () => {
    const P = 'presence:irma@irc.test';
    const irma = await ircUser(server.port, 'irma');
    irc.push(irma);
    await irma.join('#presence');
    await eventually(async () => (await fetchRaw(P)).status === 'ok', 250);
    expect(await watcher.request({ type: 'watch', who: 'pres:irma@irc.test' })).toMatchObject({
      status: 'ok',
    });
    await webSees(watcher, 'pres:irma@irc.test', 'online');
    await ircSees('pres:irma@irc.test', 'online');
    const plain = await fetchAs(carol, CAROL, P);
    expect(h(plain.headers, 'Content-Type')).toBe(PIDF);
    expect(pidfBasic(plain.payload)).toBe('open');
    expect(hudsonContacts((await fetchAs(carol, CAROL, P, TEXT)).payload)).toEqual([
      ['im:irma@irc.test', 'open'],
    ]);
    const mark = watcher.frames.length;
    await irma.quit();
    await webSees(watcher, 'pres:irma@irc.test', 'offline', mark);
    await ircSees('pres:irma@irc.test', 'offline');
    expect(hudsonContacts((await fetchAs(carol, CAROL, P, TEXT)).payload)).toEqual([
      ['im:irma@irc.test', 'closed'],
    ]);
  });

  it('an unknown format: verbatim to native clients, unknown to web watchers, one warn per version', async () => {
    const P = 'presence:alice@gw.test';
    const alice = await gw.client('alice', 'pitp');
    const second = await signIn(web, TOKENS.bob);
    for (const w of [watcher, second]) {
      const r = await w.request({ type: 'watch', who: 'pres:alice@gw.test' });
      expect(r).toMatchObject({ status: 'ok' });
    }
    const marks = [watcher.frames.length, second.frames.length];
    const mood = new TextEncoder().encode('mood: grumpy');
    await publish(alice, P, mood, 'text/x-mood', false);
    await webSees(watcher, 'pres:alice@gw.test', 'unknown', marks[0]);
    await webSees(second, 'pres:alice@gw.test', 'unknown', marks[1]);
    await ircSees('pres:alice@gw.test', 'unknown');
    const plain = await fetchAs(carol, CAROL, P, PIDF);
    expect(h(plain.headers, 'Content-Type')).toBe('text/x-mood');
    expect(Buffer.from(plain.payload!).toString()).toBe('mood: grumpy');
    await gw.gateway.router.settle();
    const warns = gw.logs().filter((l) => l.msg === NOT_TRANSLATED);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 40, contentType: 'text/x-mood', acceptType: PIDF });
    expect(String(warns[0]!.presentity)).toMatch(/^(pres|presence):alice@gw\.test$/);
    second.close();
  });
});
