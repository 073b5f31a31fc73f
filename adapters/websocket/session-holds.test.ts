/**
 * Session holds (issue 15, history-handlers.ts): while a conversation's history is read, its live
 * frames wait and then follow it; a frame the history listed and that waits for no ack is not
 * sent twice; held output counts against maxBufferedBytes. Over a real WebSocket on loopback.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { MessageFrame } from './protocol.js';
import { Session } from './session.js';

const LIMITS = { maxBufferedBytes: 4096, framesPerSecond: 100, frameBurst: 100 };

const frame = (id: string, delivery = ''): MessageFrame => ({
  type: 'message',
  delivery,
  from: 'im:bob@gw.test',
  network: 'gw.test',
  room: 'lobby',
  time: '2026-12-04T12:00:00Z',
  text: id,
  id,
});

let server: WebSocketServer | undefined;
let client: WebSocket | undefined;
afterEach(async () => {
  client?.terminate();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = client = undefined;
});

/** A server-side Session and the texts its client receives. */
async function pair(): Promise<{ session: Session; got: string[]; closed: Promise<number> }> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server!.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => server!.once('connection', resolve));
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const got: string[] = [];
  client.on('message', (d) =>
    got.push((JSON.parse(String(d)) as { text?: string; type: string }).text ?? ''),
  );
  const closed = new Promise<number>((resolve) => client!.on('close', (code) => resolve(code)));
  await new Promise((resolve) => client!.once('open', resolve));
  return { session: new Session(await accepted, 's1', LIMITS), got, closed };
}

async function settle(got: string[], n: number): Promise<void> {
  for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('Session holds', () => {
  it('holds live frames of a conversation until its history is sent, then sends them once', async () => {
    const { session, got } = await pair();
    session.hold('room:lobby');
    expect(session.sendIn('room:lobby', frame('live-1'))).toBe(true);
    expect(session.sendIn('room:lobby', frame('listed'))).toBe(true);
    expect(session.sendIn('room:lobby', frame('acked', 'd1'))).toBe(true);
    expect(session.sendIn('room:other', frame('elsewhere'))).toBe(true);
    session.send({ ...frame('history'), type: 'message' });
    session.release('room:lobby', new Set(['listed', 'acked']));
    await settle(got, 4);
    expect(got).toEqual(['elsewhere', 'history', 'live-1', 'acked']);
    // Released: frames go at once again.
    session.sendIn('room:lobby', frame('after'));
    await settle(got, 5);
    expect(got.at(-1)).toBe('after');
  });

  it('nested holds release with the last one', async () => {
    const { session, got } = await pair();
    session.hold('dm:x');
    session.hold('dm:x');
    session.sendIn('dm:x', frame('one'));
    session.release('dm:x', new Set());
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([]);
    session.release('dm:x', new Set());
    await settle(got, 1);
    expect(got).toEqual(['one']);
  });

  it('closes a session whose held output passes maxBufferedBytes (4008)', async () => {
    const { session, closed } = await pair();
    session.hold('room:lobby');
    let accepted = 0;
    for (
      let i = 0;
      i < 100 && session.sendIn('room:lobby', { ...frame(`f${i}`), text: 'x'.repeat(500) });
      i++
    )
      accepted++;
    expect(accepted).toBeLessThan(10);
    expect(await closed).toBe(4008);
  });

  it('confirms a frame the socket took', async () => {
    const { session, got } = await pair();
    expect(await session.sendConfirmed(frame('sure'))).toBe(true);
    await settle(got, 1);
    expect(got).toEqual(['sure']);
    session.close(1000, 'bye');
    expect(await session.sendConfirmed(frame('late'))).toBe(false);
  });
});
