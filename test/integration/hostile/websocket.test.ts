/**
 * Hostile WebSocket traffic against a real gateway process (issue 13). Each row is answered in
 * WebSocket's idiom: an `error` frame (docs/adapters/web-chat.md "Protocol": the connection stays up), a close code
 * (RFC 6455 7.4.1, and the adapter's 4xxx codes), or an HTTP status on the upgrade (RFC 6455 4.2.2).
 * After each row two other users still sign in and exchange a message within a second
 * (test/support/hostile.ts). maxFrameBytes is 2.2 MB here so that the parser sees a 1e6-element
 * array and 100,000 levels of nesting instead of the frame limit refusing them first.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerFrame } from '../../../adapters/websocket/protocol.js';
import { webChatServed, webToken, wsUrl } from '../../support/hostile-clients.js';
import { useHostileGateway, type HostileArena } from '../../support/hostile.js';
import { sleep } from '../../support/net.js';
import { connect, signIn, type TestClient } from '../../support/websocket.js';
import { OP, clientFrame, closeCodeIn, upgradeRequest } from '../../support/ws-raw.js';

const MAX_FRAME = 2_200_000;
const arena = useHostileGateway(webChatServed, {
  web: { limits: { maxFrameBytes: MAX_FRAME } },
});

/** What the gateway answered: an error frame's code, a close code, or an upgrade's HTTP status. */
type Answer = { error: string; open: boolean } | { close: number } | { http: number };

/** The first error frame after `from` (and whether the connection is still open), or the close. */
async function answerOf(c: TestClient, from: number, ms = 4000): Promise<Answer> {
  const closed = c.closed.then((x) => ({ close: x.code }));
  const error = c
    .waitFor((f) => f.type === 'error', ms, from)
    .then((f) => f as Extract<ServerFrame, { type: 'error' }>);
  const first = await Promise.race([closed, error.catch(() => closed)]);
  if ('close' in first) return first;
  await sleep(50);
  return { error: first.code, open: c.ws.readyState === WebSocket.OPEN };
}

async function signedIn(user: string): Promise<TestClient> {
  return signIn(wsUrl(arena.gw()), await webToken(user));
}

/** Sends `frames` as they are (strings as text frames) on a fresh connection, signed in or not. */
async function sendOn(user: string | null, frames: (string | Buffer)[]): Promise<Answer> {
  const c = user === null ? await connect(wsUrl(arena.gw())) : await signedIn(user);
  const from = c.frames.length;
  for (const f of frames) c.ws.send(f, { binary: Buffer.isBuffer(f) });
  try {
    return await answerOf(c, from);
  } finally {
    c.close();
  }
}

/** Writes `bytes` after a hand-made upgrade; resolves with the HTTP status or the close code. */
async function raw(
  a: HostileArena,
  headers: Record<string, string | null>,
  after: Buffer[] = [],
): Promise<Answer> {
  const peer = await a.raw(a.gw().ports.http);
  await peer.write(upgradeRequest('/ws', headers));
  await peer.until((t) => t.includes('\r\n\r\n'));
  const status = Number(peer.text().slice(9, 12));
  if (status !== 101) return { http: status };
  for (const b of after) await peer.write(b);
  await peer.until(() => closeCodeIn(peer) !== undefined, 4000);
  return { close: closeCodeIn(peer) ?? 0 };
}

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

interface Row {
  readonly name: string;
  readonly spec: string;
  readonly run: () => Promise<Answer>;
  readonly expected: Answer;
}

const rows: Row[] = [
  {
    name: 'non-JSON text',
    spec: 'web-chat.md Protocol: error bad-json, connection stays',
    run: () => sendOn('alice', ['{not json']),
    expected: { error: 'bad-json', open: true },
  },
  {
    name: 'a binary frame',
    spec: 'web-chat.md Protocol: error binary-frame',
    run: () => sendOn('alice', [Buffer.from([1, 2, 3])]),
    expected: { error: 'binary-frame', open: true },
  },
  {
    name: 'invalid UTF-8 in a text frame',
    spec: 'RFC 6455 8.1 / 7.4.1: close 1007',
    run: () => raw(arena, {}, [clientFrame(OP.text, Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]))]),
    expected: { close: 1007 },
  },
  {
    name: 'a frame over limits.maxFrameBytes',
    spec: 'RFC 6455 7.4.1: close 1009',
    run: () => sendOn(null, ['x'.repeat(MAX_FRAME + 1)]),
    expected: { close: 1009 },
  },
  {
    name: 'a length header announcing 2^53 bytes',
    spec: 'RFC 6455 5.2 / 7.4.1: close 1009',
    run: () => {
      const head = Buffer.from([0x81, 0xff, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
      return raw(arena, {}, [head]);
    },
    expected: { close: 1009 },
  },
  {
    name: 'JSON nested 100,000 levels deep',
    spec: 'web-chat.md Protocol: error bad-frame (a frame is an object)',
    run: () => sendOn('alice', [nested(100_000)]),
    expected: { error: 'bad-frame', open: true },
  },
  {
    name: 'a field nested 100,000 levels deep',
    spec: 'web-chat.md Protocol: error bad-frame',
    run: () => sendOn(null, [`{"type":"auth","v":1,"token":${nested(100_000)}}`]),
    expected: { error: 'bad-frame', open: true },
  },
  {
    name: 'a 1e6-element array',
    spec: 'web-chat.md Protocol: error bad-frame',
    run: () => sendOn('alice', ['[' + '0,'.repeat(999_999) + '0]']),
    expected: { error: 'bad-frame', open: true },
  },
  {
    name: 'a 1e6-element array as a field',
    spec: 'web-chat.md Protocol: error bad-frame',
    run: () => sendOn('alice', [`{"type":"send","id":"a1","to":"bob","text":[${'0,'.repeat(999_999)}0]}`]),
    expected: { error: 'bad-frame', open: true },
  },
  {
    name: 'an unknown type',
    spec: 'web-chat.md Protocol: error unknown-type',
    run: () => sendOn('alice', ['{"type":"launch","id":"u1"}']),
    expected: { error: 'unknown-type', open: true },
  },
  {
    name: 'wrong field types',
    spec: 'web-chat.md Protocol: error bad-frame',
    run: () => sendOn('alice', ['{"type":"send","id":"w1","to":42,"text":{"a":1}}']),
    expected: { error: 'bad-frame', open: true },
  },
  {
    name: 'a __proto__ field',
    spec: 'web-chat.md Protocol: error bad-frame (unknown fields)',
    run: () =>
      sendOn('alice', ['{"type":"send","id":"p1","to":"bob","text":"x","__proto__":{"admin":true}}']),
    expected: { error: 'bad-frame', open: true },
  },
  {
    name: 'a send before sign-in',
    spec: 'web-chat.md Protocol: error not-authenticated',
    run: () => sendOn(null, [JSON.stringify({ type: 'send', id: 's1', to: 'bob', text: 'hi' })]),
    expected: { error: 'not-authenticated', open: true },
  },
  {
    name: 'a token signed with another secret',
    spec: 'web-chat.md Tokens / Protocol: error auth-failed',
    run: async () => {
      const { SignJWT } = await import('jose');
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('bob')
        .setAudience('cpim-gateway')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-0123456789-0123456789'));
      return sendOn(null, [JSON.stringify({ type: 'auth', v: 1, token: forged })]);
    },
    expected: { error: 'auth-failed', open: true },
  },
  {
    name: 'a frame flood (1,000 frames at once)',
    spec: 'web-chat.md Protocol: error rate-limited past limits.frameBurst, connection stays',
    run: () =>
      sendOn(
        'alice',
        Array.from({ length: 1000 }, () => '{"type":"unwatch","id":"f","who":"bob"}'),
      ),
    expected: { error: 'rate-limited', open: true },
  },
  {
    name: 'a fragmented message never finished',
    spec: 'RFC 6455 5.4; web-chat.md close codes: 4001 at auth.timeoutMs (1500)',
    run: () => raw(arena, {}, [clientFrame(OP.text, '{"type":"au', { fin: false })]),
    expected: { close: 4001 },
  },
  {
    name: 'a compressed frame without permessage-deflate',
    spec: 'RFC 6455 5.2 (RSV1 without an extension) / 7.4.1: close 1002',
    run: () =>
      raw(arena, { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }, [
        clientFrame(OP.text, Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]), { rsv1: true }),
      ]),
    expected: { close: 1002 },
  },
  {
    name: 'a bad Sec-WebSocket-Key',
    spec: 'RFC 6455 4.2.1 item 5 / 4.2.2: HTTP 400',
    run: () => raw(arena, { 'Sec-WebSocket-Key': 'not-a-16-byte-nonce' }),
    expected: { http: 400 },
  },
  {
    name: 'no Sec-WebSocket-Key',
    spec: 'RFC 6455 4.2.1 / 4.2.2: HTTP 400',
    run: () => raw(arena, { 'Sec-WebSocket-Key': null }),
    expected: { http: 400 },
  },
  {
    name: 'an unknown Sec-WebSocket-Version',
    spec: 'RFC 6455 4.2.2 item 4 / 4.4: an HTTP error naming the versions',
    run: () => raw(arena, { 'Sec-WebSocket-Version': '99' }),
    expected: { http: 400 },
  },
];

describe('hostile WebSocket traffic', () => {
  for (const row of rows)
    it(`${row.name} → ${JSON.stringify(row.expected)} (${row.spec})`, async () => {
      expect(await row.run()).toEqual(row.expected);
    });

  it('a permessage-deflate offer is declined (compression is off: no compression bomb)', async () => {
    const peer = await arena.raw(arena.gw().ports.http);
    await peer.write(upgradeRequest('/ws', { 'Sec-WebSocket-Extensions': 'permessage-deflate' }));
    await peer.until((t) => t.includes('\r\n\r\n'));
    expect(peer.text()).toMatch(/^HTTP\/1\.1 101 /);
    expect(peer.text()).not.toMatch(/Sec-WebSocket-Extensions/i);
  });

  it('an unknown version names the versions served (RFC 6455 4.4)', async () => {
    const peer = await arena.raw(arena.gw().ports.http);
    await peer.write(upgradeRequest('/ws', { 'Sec-WebSocket-Version': '99' }));
    await peer.until((t) => t.includes('\r\n\r\n'));
    expect(peer.text()).toMatch(/Sec-WebSocket-Version: 13/i);
  });

  it('a ping flood (5,000 pings) gets pongs, the last one for the last ping (RFC 6455 5.5.3), and the connection stays', async () => {
    const c = await signedIn('alice');
    const pongs: string[] = [];
    c.ws.on('pong', (d: Buffer) => pongs.push(d.toString()));
    for (let i = 0; i < 5000; i++) c.ws.ping(Buffer.alloc(125, 0x61 + (i % 26)));
    c.ws.ping('last');
    const until = Date.now() + 5000;
    while (pongs.at(-1) !== 'last' && Date.now() < until) await sleep(20);
    expect(pongs.at(-1)).toBe('last');
    expect(pongs.length).toBeLessThanOrEqual(5001);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    const r = await c.request({ type: 'presence', state: 'online' });
    expect(r).toMatchObject({ type: 'result', status: 'ok' });
    c.close();
  });

  it('a protocol violation is logged at warn with the reason', async () => {
    await raw(arena, {}, [clientFrame(OP.text, Buffer.from([0xff]))]);
    const line = await arena.waitForLog('websocket error');
    expect(line.level).toBe(40);
    expect(String(line.reason)).toMatch(/UTF-8/i);
    expect(line.ip).toBe('127.0.0.1');
  });
});
