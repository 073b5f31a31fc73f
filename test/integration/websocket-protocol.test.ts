/**
 * The web chat protocol against a real gateway with a `ws` client: every client frame type,
 * every error frame, delivery answers, rooms, presence, and a hub (IMTP/PITP) client on the
 * other end. Every server frame is checked against the schema (test/support/websocket.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { mintToken } from '../../adapters/websocket/index.js';
import type { ServerFrame } from '../../adapters/websocket/protocol.js';
import { SECRET, TOKENS, connect, signIn, useWebGateways } from '../support/websocket.js';
import { h, sendText } from '../support/hub-calls.js';

describe('websocket protocol', () => {
  const startWeb = useWebGateways();

  it('authenticates with configured and signed tokens, and names every auth problem', async () => {
    const web = await startWeb();
    const c = await connect(web.ws);
    const before = await c.request({ type: 'join', room: 'lobby' });
    expect(before).toMatchObject({ type: 'error', code: 'not-authenticated', id: 't1' });
    c.send({ type: 'auth', v: 3, token: TOKENS.alice });
    await c.waitFor((f) => f.type === 'error' && f.code === 'unsupported-version');
    c.send({ type: 'auth', v: 1, token: 'nope-nope-nope-nope' });
    await c.waitFor((f) => f.type === 'error' && f.code === 'auth-failed' && f.path === 'token');
    c.send({ type: 'auth', v: 1, token: await mintToken(SECRET, 'erin', -60) });
    await c.waitFor((f) => f.type === 'error' && f.code === 'token-expired');
    // Two failures so far: the connection is still up and a good token works.
    c.send({ type: 'auth', v: 1, token: TOKENS.alice });
    const welcome = await c.waitFor((f) => f.type === 'welcome');
    expect(welcome).toMatchObject({
      v: 1,
      user: 'alice',
      uri: 'im:alice@web.test',
      presentity: 'pres:alice@web.test',
      domain: 'web.test',
      rooms: [
        { name: 'lobby', title: 'Lobby', address: 'im:lobby@gw.test' },
        { name: 'staff', title: 'staff', address: 'im:staff@gw.test' },
      ],
    });
    c.send({ type: 'auth', v: 1, token: TOKENS.alice });
    await c.waitFor((f) => f.type === 'error' && f.code === 'already-authenticated');

    const signed = await signIn(web.ws, await mintToken(SECRET, 'erin', 600));
    expect(signed.frames[0]).toMatchObject({ type: 'welcome', user: 'erin', rooms: [{ name: 'lobby' }] });
    const wrong = await connect(web.ws);
    const forged = await mintToken('another-secret-0123456789-0123456789', 'erin', 600);
    for (const token of [forged, await mintToken(SECRET, 'erin', 10 ** 8), 'x.y'])
      wrong.send({ type: 'auth', v: 1, token });
    expect((await wrong.closed).code).toBe(4003);
    const errors = wrong.frames.filter((f) => f.type === 'error').map((f) => f.message);
    expect(errors).toEqual([
      'bad signature',
      'the token lives longer than allowed',
      'not a valid token (ERR_JWS_INVALID)',
    ]);
  });

  it('closes a connection that does not authenticate in time', async () => {
    const web = await startWeb({ auth: { tokens: [], timeoutMs: 150 } });
    const c = await connect(web.ws);
    expect(await c.closed).toEqual({ code: 4001, reason: 'authentication timeout' });
  });

  it('answers every malformed frame with an error naming the problem, and stays up', async () => {
    const web = await startWeb();
    const c = await signIn(web.ws, TOKENS.alice);
    const cases: [unknown, Partial<ServerFrame>][] = [
      ['{not json', { code: 'bad-json' }],
      ['[1,2]', { code: 'bad-frame', message: 'a frame is a JSON object' }],
      [{ id: 'a1' }, { code: 'bad-frame', path: 'type', id: 'a1' }],
      [
        { type: 'shout', id: 'a2' },
        { code: 'unknown-type', id: 'a2' },
      ],
      [
        { type: 'send', id: 'a3', to: 'bob' },
        { code: 'bad-frame', path: 'text', id: 'a3' },
      ],
      [
        { type: 'send', id: 'a4', to: 'bob', room: 'lobby', text: 'x' },
        { code: 'bad-frame', id: 'a4' },
      ],
      [
        { type: 'join', id: 'a5', room: 'lobby', extra: 1 },
        { code: 'bad-frame', message: 'join: unknown field(s): extra' },
      ],
      [
        { type: 'presence', id: 'a6', state: 'asleep' },
        { code: 'bad-frame', path: 'state' },
      ],
      [
        { type: 'send', id: 'bad id!', to: 'bob', text: 'x' },
        { code: 'bad-frame', path: 'id' },
      ],
      [{ type: 'ack' }, { code: 'bad-frame', path: 'delivery' }],
    ];
    for (const [frame, expected] of cases) {
      const from = c.frames.length;
      c.send(frame);
      const got = await c.waitFor((f) => f.type === 'error', 2000, from);
      expect(got).toMatchObject(expected);
    }
    const from = c.frames.length;
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.waitFor((f) => f.type === 'error', 2000, from)).toMatchObject({ code: 'binary-frame' });
    // An ack for a delivery nobody waits for is ignored; the connection still works.
    c.send({ type: 'ack', delivery: 'd999' });
    expect(await c.request({ type: 'join', room: 'lobby' })).toMatchObject({ type: 'result', status: 'ok' });
  });

  it('delivers direct messages between web users with ok, ok + unreliable and errors', async () => {
    const web = await startWeb();
    const alice = await signIn(web.ws, TOKENS.alice);
    const bob = await signIn(web.ws, TOKENS.bob);
    const r = await alice.request({ type: 'send', to: 'bob', text: 'hi bob ✓' });
    expect(r).toEqual({ type: 'result', id: 't1', status: 'ok', messageId: expect.any(String) });
    const m = await bob.waitFor((f) => f.type === 'message');
    expect(m).toMatchObject({
      from: 'im:alice@web.test',
      network: 'web.test',
      to: 'im:bob@web.test',
      text: 'hi bob ✓',
    });
    expect(Number.isNaN(Date.parse(m.type === 'message' ? m.time : ''))).toBe(false);

    const quiet = await signIn(web.ws, TOKENS.dave, false);
    expect(await alice.request({ type: 'send', to: 'im:dave@web.test', text: 'no ack' })).toMatchObject({
      status: 'ok',
      unreliable: true,
    });
    await quiet.waitFor((f) => f.type === 'message');
    quiet.close();
    await new Promise((r) => setTimeout(r, 50));
    // Issue 15: a known user with no open tab gets it kept (offline delivery).
    const offline = await alice.request({ type: 'send', to: 'dave', text: 'x' });
    expect(offline).toMatchObject({ status: 'ok', stored: 'offline' });
    expect(await alice.request({ type: 'send', to: 'nobody', text: 'x' })).toMatchObject({
      status: 'error',
      errorType: 'target-not-found',
      description: 'no web user nobody',
    });
    expect(await alice.request({ type: 'send', to: 'x@nowhere.example', text: 'x' })).toMatchObject({
      status: 'error',
      errorType: 'target-not-found',
    });
    expect(await alice.request({ type: 'send', to: 'mailto:x@y', text: 'x' })).toMatchObject({
      status: 'error',
      errorType: 'malformed',
    });
    expect(await alice.request({ type: 'send', to: 'bob', text: 'x'.repeat(20_000) })).toMatchObject({
      status: 'error',
      errorType: 'quota',
    });
  });

  it('joins, posts to and leaves rooms; the gateway room fans out to its other members', async () => {
    const web = await startWeb();
    const alice = await signIn(web.ws, TOKENS.alice);
    const bob = await signIn(web.ws, TOKENS.bob);
    expect(await alice.request({ type: 'send', room: 'lobby', text: 'early' })).toMatchObject({
      errorType: 'target-authorization',
    });
    expect(await alice.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    expect(await bob.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    expect(await bob.request({ type: 'join', room: 'staff' })).toMatchObject({
      errorType: 'target-authorization',
    });
    expect(await bob.request({ type: 'join', room: 'attic' })).toMatchObject({
      errorType: 'target-not-found',
    });
    await alice.waitFor((f) => f.type === 'room' && f.members.length === 2);

    const carol: CommandFrame[] = [];
    const hubCarol = await web.gw.client('carol', 'imtp', (cmd) => {
      carol.push(cmd);
      return { status: 'ok', headers: [] };
    });
    expect((await hubCarol.command('listen', [['Inbox', 'im:carol@gw.test']])).status).toBe('ok');
    const r = await alice.request({ type: 'send', room: 'lobby', text: 'hello room' });
    expect(r).toEqual({ type: 'result', id: 't3', status: 'ok', messageId: expect.any(String) });
    expect(await bob.waitFor((f) => f.type === 'message')).toMatchObject({
      room: 'lobby',
      from: 'im:alice@web.test',
      text: 'hello room',
    });
    expect(carol).toHaveLength(1);
    expect(h(carol[0]!.headers, 'Sender')).toBe('im:lobby@gw.test');
    expect(h(carol[0]!.headers, 'Orig-Sender')).toBe('im:alice@web.test');
    expect(Buffer.from(carol[0]!.payload!).toString()).toContain('hello room');

    // Carol stops listening: her copy is kept for her next listen (issue 15, offline delivery).
    await hubCarol.close();
    await new Promise((r) => setTimeout(r, 50));
    const again = await alice.request({ type: 'send', room: 'lobby', text: 'again' });
    expect(again).toMatchObject({ status: 'ok' });
    expect(again).not.toHaveProperty('failed');
    expect(await web.gw.gateway.store!.countOffline('im:carol@gw.test')).toBe(1);
    expect(await bob.request({ type: 'leave', room: 'lobby' })).toMatchObject({ status: 'ok' });
    expect(await bob.request({ type: 'leave', room: 'lobby' })).toMatchObject({
      errorType: 'not-subscribed',
    });
    const last = await alice.waitFor((f) => f.type === 'room' && f.members.length === 1);
    expect(last).toMatchObject({ members: ['im:alice@web.test'] });
  });

  it('talks with a hub client both ways, directly and through a room', async () => {
    const web = await startWeb();
    const alice = await signIn(web.ws, TOKENS.alice);
    await alice.request({ type: 'join', room: 'lobby' });
    const got: CommandFrame[] = [];
    const bob = await web.gw.client('bob', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    await bob.command('listen', [['Inbox', 'im:bob@gw.test']]);
    expect(await alice.request({ type: 'send', to: 'im:bob@gw.test', text: 'hi hub' })).toMatchObject({
      status: 'ok',
    });
    expect(h(got[0]!.headers, 'Sender')).toBe('im:alice@web.test');
    expect(h(got[0]!.headers, 'Content-Type')).toBe('message/cpim');
    const cpim = Buffer.from(got[0]!.payload!).toString();
    expect(cpim).toMatch(/^From: <im:alice@web\.test>\r\nTo: <im:bob@gw\.test>\r\nDateTime: /);
    expect(cpim).toContain('\r\n\r\nhi hub');

    const answer = await bob.command(
      'send',
      [
        ['Sender', 'im:bob@gw.test'],
        ['Inbox', 'im:alice@web.test'],
        ['Content-Type', 'text/plain; charset=UTF-8'],
      ],
      Buffer.from('hi web'),
    );
    expect(answer.status).toBe('ok');
    expect(h(answer.headers, 'Unreliable')).toBeUndefined();
    expect(await alice.waitFor((f) => f.type === 'message' && f.text === 'hi web')).toMatchObject({
      from: 'im:bob@gw.test',
      network: 'gw.test',
    });
    const viaRoom = await sendText(bob, 'im:bob@gw.test', 'im:lobby@gw.test', 'to the lobby');
    expect(viaRoom.status).toBe('ok');
    expect(await alice.waitFor((f) => f.type === 'message' && f.text === 'to the lobby')).toMatchObject({
      room: 'lobby',
      from: 'im:bob@gw.test',
    });
  });

  it('publishes web presence as PIDF and pushes watched presence changes', async () => {
    const web = await startWeb();
    const alice = await signIn(web.ws, TOKENS.alice);
    expect(await alice.request({ type: 'watch', who: 'bob' })).toMatchObject({ status: 'ok' });
    await alice.waitFor(
      (f) => f.type === 'presence' && f.who === 'pres:bob@web.test' && f.state === 'offline',
    );
    const bob = await signIn(web.ws, TOKENS.bob);
    await alice.waitFor((f) => f.type === 'presence' && f.state === 'online');
    expect(await bob.request({ type: 'presence', state: 'away', note: 'lunch <back at 2>' })).toMatchObject({
      status: 'ok',
    });
    await alice.waitFor((f) => f.type === 'presence' && f.state === 'away' && f.note === 'lunch <back at 2>');
    await bob.request({ type: 'presence', state: 'idle' });
    await alice.waitFor((f) => f.type === 'presence' && f.state === 'idle');
    expect(await bob.request({ type: 'presence', state: 'online', note: 'n'.repeat(201) })).toMatchObject({
      errorType: 'quota',
    });

    // A hub client watches the web user over PITP and gets the PIDF document.
    const carol = await web.gw.client('carol', 'pitp', () => ({ status: 'ok', headers: [] }));
    const sub = await carol.command('subscribe', [
      ['Subscription', '/presence:carol@gw.test'],
      ['Presentity', 'presence:bob@web.test'],
    ]);
    expect(sub.status).toBe('ok');
    expect(h(sub.headers, 'Content-Type')).toBe('application/pidf+xml');
    expect(Buffer.from(sub.payload!).toString()).toMatch(/<basic>open<\/basic>[\s\S]*user-input>idle</);

    bob.close();
    await alice.waitFor((f) => f.type === 'presence' && f.state === 'offline', 3000, alice.frames.length);

    // A signed-token user never seen before shows offline, then online once signed in.
    expect(await alice.request({ type: 'watch', who: 'pres:erin@web.test' })).toMatchObject({ status: 'ok' });
    const mark = alice.frames.length;
    await signIn(web.ws, await mintToken(SECRET, 'erin', 600));
    await alice.waitFor(
      (f) => f.type === 'presence' && f.who === 'pres:erin@web.test' && f.state === 'online',
      3000,
      mark,
    );
    expect(await alice.request({ type: 'watch', who: 'im:alice@gw.test' })).toMatchObject({
      errorType: 'target-not-found',
    });
    expect(await alice.request({ type: 'watch', who: 'not a uri' })).toMatchObject({
      errorType: 'malformed',
    });
    expect(await alice.request({ type: 'unwatch', who: 'bob' })).toMatchObject({ status: 'ok' });
    expect(await alice.request({ type: 'unwatch', who: 'bob' })).toMatchObject({
      errorType: 'not-subscribed',
    });
  });
});
