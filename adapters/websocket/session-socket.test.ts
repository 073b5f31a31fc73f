/**
 * SessionSocket (issue 18): a connection's events reach its Session and the adapter's shared
 * SessionHost without listeners of its own, and listeners added by others still see them. Over a
 * real WebSocket on loopback.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type Server as WsServer } from 'ws';
import { Session } from './session.js';
import { SessionSocket, type SessionHost } from './session-socket.js';

const LIMITS = { maxBufferedBytes: 4096, framesPerSecond: 100, frameBurst: 100 };

let server: WsServer<typeof SessionSocket> | undefined;
let client: WebSocket | undefined;
afterEach(async () => {
  client?.terminate();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = client = undefined;
});

async function pair(maxPayload = 1024): Promise<{ session: Session; calls: unknown[][]; ws: SessionSocket }> {
  server = new WebSocketServer<typeof SessionSocket>({
    host: '127.0.0.1',
    port: 0,
    WebSocket: SessionSocket,
    autoPong: false,
    maxPayload,
  });
  await new Promise((resolve) => server!.once('listening', resolve));
  const calls: unknown[][] = [];
  const host: SessionHost = {
    frame: (_s, data) => calls.push(['frame', data]),
    error: (_s, err) => calls.push(['error', err.message]),
    closed: (_s, code) => calls.push(['closed', code]),
    overflowed: () => calls.push(['overflowed']),
  };
  const accepted = new Promise<SessionSocket>((resolve) => server!.once('connection', resolve));
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await new Promise((resolve) => client!.once('open', resolve));
  const ws = await accepted;
  const session = new Session(ws, 's1', LIMITS, null, host);
  ws.session = session;
  return { session, calls, ws };
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('SessionSocket', () => {
  it('hands text and binary frames, pings, pongs and the close to the session', async () => {
    const { session, calls, ws } = await pair();
    const seen: string[] = [];
    ws.on('message', (d) => seen.push(String(d)));
    client!.send('{"type":"auth"}');
    client!.send(Buffer.from([1, 2, 3]));
    await until(() => calls.length >= 2);
    expect(calls).toEqual([
      ['frame', '{"type":"auth"}'],
      ['frame', null],
    ]);
    // Another listener still gets the event.
    expect(seen).toEqual(['{"type":"auth"}', '\u0001\u0002\u0003']);

    // A ping is answered with its payload (Session.answerPing), a pong marks the session alive.
    const pong = new Promise<string>((resolve) => client!.once('pong', (d) => resolve(String(d))));
    client!.ping('hello');
    expect(await pong).toBe('hello');
    session.alive = false;
    client!.pong();
    await until(() => session.alive);
    expect(session.alive).toBe(true);

    client!.close(1000);
    await until(() => calls.length >= 3);
    expect(calls[2]).toEqual(['closed', 1000]);
  });

  it("reports ws's protocol errors to the host without throwing (no error listener)", async () => {
    const { calls } = await pair(16);
    const code = new Promise<number>((resolve) => client!.once('close', resolve));
    client!.send('x'.repeat(64));
    expect(await code).toBe(1009);
    await until(() => calls.some((c) => c[0] === 'closed'));
    expect(calls[0]?.[0]).toBe('error');
    expect(calls.at(-1)?.[0]).toBe('closed');
  });

  it('takes frames from a bucket of frameBurst refilled at framesPerSecond', async () => {
    const { ws } = await pair();
    const s = new Session(ws, 's2', { maxBufferedBytes: 4096, framesPerSecond: 1, frameBurst: 3 });
    expect([s.takeFrame(), s.takeFrame(), s.takeFrame(), s.takeFrame()]).toEqual([true, true, true, false]);
    expect(() => new Session(ws, 's3', { maxBufferedBytes: 1, framesPerSecond: 0, frameBurst: 1 })).toThrow(
      RangeError,
    );
  });
});
