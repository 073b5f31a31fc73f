/**
 * Timers, shutdown and the application boundary of the real hub server: idle `=nop` keepalive and
 * per-command timeouts (part 4 row 14), the auth timeout, `shutdown` round trips (draft §14.2,
 * part 3 row 33), stop(), application failures answered through replies.ts without leaking
 * internals, and write batching (one socket write per input chunk or tick, docs/architecture.md part 11).
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectHub, type HubClientOptions } from '../../src/hub/client.js';
import { getHeader, type Header } from '../../src/protocol/index.js';
import { createHubServer, type HubApplication, type HubConnection } from '../../src/hub/server.js';
import { captureLog, Cleanup, rawConnect, sleep, startHub, testHubConfig } from '../support/hub-tcp.js';

const cleanup = new Cleanup();
afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup.run();
});

const OK = { status: 'ok', headers: [] } as const;
const TO_CLIENT: Header[] = [
  ['Sender', 'im:hub@hub.example.net'],
  ['Inbox', 'im:alice@hub.example.net'],
];

/** Behaviour by the local part of the Inbox of a send. */
const app: HubApplication = {
  allowUnauthenticated: () => true,
  command(_conn, cmd) {
    const who = /^im:([^@]*)@/.exec(getHeader(cmd.headers, 'Inbox') ?? '')?.[1];
    switch (who) {
      case 'never':
        return new Promise(() => {});
      case 'throw':
        throw new Error('database password is hunter2');
      case 'reject':
        return Promise.reject(new TypeError('cannot read properties of undefined'));
      case 'bad':
        return { status: 'error', headers: [] };
      case 'async':
        return Promise.resolve(OK);
      default:
        return OK;
    }
  },
};

const send = (who: string): [string, Header[], Buffer] => [
  'send',
  [
    ['Sender', 'im:alice@hub.example.net'],
    ['Inbox', `im:${who}@hub.example.net`],
  ],
  Buffer.from('hi'),
];

async function hub(limits: Record<string, number> = {}, level: 'trace' | 'debug' = 'debug') {
  const captured = captureLog(level);
  const started = await startHub(cleanup, {
    config: testHubConfig({ limits }),
    application: app,
    log: captured.log,
  });
  const client = async (o: Partial<HubClientOptions> = {}) =>
    cleanup.add(
      await connectHub({
        host: '127.0.0.1',
        port: started.port,
        protocol: 'imtp',
        sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
        ...o,
      }),
      (c) => c.close(),
    );
  const only = (): HubConnection => [...started.server.connections][0]!;
  return { ...started, captured, client, only };
}

describe('hub timers', () => {
  it('sends =nop on an idle connection, both ways', async () => {
    const h = await hub({ keepaliveMs: 40 }, 'trace');
    const raw = await rawConnect(cleanup, h.port);
    expect(await raw.until((t) => t.startsWith('=mech PLAIN\r\n=nop\r\n'), 2000)).toBe(true);
    await h.client({ limits: { keepaliveMs: 40 } });
    await h.captured.waitFor('hub wire', { dir: 'in', frame: 'nop' });
  });

  it('answers communications when a command is not answered in time, both ways', async () => {
    const h = await hub({ commandTimeoutMs: 100 });
    let late!: (a: { status: 'ok'; headers: Header[] }) => void;
    await h.client({ onCommand: () => new Promise((r) => (late = r)) });
    const t0 = Date.now();
    const toClient = await h.only().command('send', TO_CLIENT, Buffer.from('ping'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(toClient).toMatchObject({ status: 'error', method: 'send' });
    expect(getHeader(toClient.headers, 'Error-Type')).toBe('communications');
    const c = await h.client({ commandTimeoutMs: 100 });
    const never = await c.command(...send('never'));
    expect(never).toMatchObject({ status: 'error', method: 'send' });
    expect(getHeader(never.headers, 'Error-Type')).toBe('communications');
    expect(getHeader(never.headers, 'Error-Description')).toBe('no answer within 100 ms');
    await h.captured.waitFor('hub commands timed out', { expired: 1, timeoutMs: 100 });
    late({ status: 'ok', headers: [] });
    await h.captured.waitFor('hub late answer discarded');
  });

  it('closes a connection that does not authenticate within authTimeoutMs', async () => {
    const h = await hub({ authTimeoutMs: 300 });
    const authed = await h.client();
    const raw = await rawConnect(cleanup, h.port);
    expect(await raw.until(() => raw.ended(), 2000)).toBe(true);
    await h.captured.waitFor('hub authentication timeout, connection closed', { timeoutMs: 300 });
    await h.captured.waitFor('hub connection closed', { code: 'auth-timeout' });
    await sleep(350);
    expect((await authed.command(...send('fred'))).status).toBe('ok');
  });
});

describe('hub shutdown (draft §14.2)', () => {
  it('round trip: the client answers ok or communications', async () => {
    const h = await hub();
    const seen: string[] = [];
    const answer: { status: 'ok' | 'error'; headers: Header[] } = { status: 'ok', headers: [] };
    await h.client({
      onCommand: (c) => {
        seen.push(c.method);
        return answer;
      },
    });
    await h.only().shutdown();
    expect(seen).toEqual(['shutdown']);
    answer.status = 'error';
    answer.headers = [['Error-Type', 'communications']];
    const r = await h.only().command('shutdown');
    expect(r).toMatchObject({ status: 'error', method: 'shutdown' });
    expect(getHeader(r.headers, 'Error-Type')).toBe('communications');
  });

  it('a client without a handler acknowledges and leaves', async () => {
    const h = await hub();
    const c = await h.client();
    await h.only().shutdown();
    expect(await c.closed).toMatchObject({
      code: 'local',
      message: 'the server asked us to move (shutdown)',
    });
  });

  it('stop() asks everyone to move and closes the rest at the deadline', async () => {
    const h = await hub();
    const leaving = await h.client();
    const staying = await h.client({ onCommand: () => OK });
    const t0 = Date.now();
    await h.server.stop(300);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
    expect((await leaving.closed).code).toBe('local');
    expect((await staying.closed).code).toBe('peer-closed');
    expect(h.server.connections.size).toBe(0);
    await expect(connectHub({ host: '127.0.0.1', port: h.port, protocol: 'imtp' })).rejects.toMatchObject({
      code: 'connect',
    });
  });
});

describe('hub listener', () => {
  it('reports a port in use clearly, and stop() is idempotent', async () => {
    const h = await hub();
    const config = testHubConfig({ imtp: { port: h.port } });
    const second = createHubServer({ protocol: 'imtp', config, application: app, log: h.captured.log });
    await expect(second.start()).rejects.toThrow(
      /^cannot listen on 127\.0\.0\.1:\d+ \(hub\.imtp\.port\): address in use$/,
    );
    await Promise.all([h.server.stop(100), h.server.stop(100)]);
    await h.captured.waitFor('hub listener stopped');
    expect(h.captured.lines.filter((l) => l.msg === 'hub listener stopped')).toHaveLength(1);
  });
});

describe('hub application boundary', () => {
  it('answers thrown and rejected errors and broken answers through replies.ts, without internals', async () => {
    const h = await hub();
    const c = await h.client();
    for (const who of ['throw', 'reject', 'bad']) {
      const r = await c.command(...send(who));
      expect(r.status).toBe('error');
      expect(r.headers).toEqual([
        ['Error-Type', 'resources'],
        ['Error-Description', 'internal error'],
      ]);
    }
    expect(JSON.stringify((await c.command(...send('async'))).status)).toBe('"ok"');
    await h.captured.waitFor('hub application failed on a command');
    await h.captured.waitFor('hub application answer could not be sent');
  });

  it('writes all answers to one input chunk, or one tick, with one socket write', async () => {
    const h = await hub();
    const raw = await rawConnect(cleanup, h.port);
    await raw.until((t) => t.startsWith('=mech'));
    const local = raw.socket.localPort;
    let writes = 0;
    const original = net.Socket.prototype.write;
    vi.spyOn(net.Socket.prototype, 'write').mockImplementation(function (
      this: net.Socket,
      ...args: unknown[]
    ) {
      if (this.remotePort === local) writes++;
      return (original as (...a: unknown[]) => boolean).apply(this, args);
    });
    const batch = (who: string, from: number): string =>
      Array.from(
        { length: 50 },
        (_, i) =>
          `>${from + i} send\r\nSender: im:a@hub.example.net\r\nInbox: im:${who}@hub.example.net\r\nContent-Length: 1\r\n\r\nx`,
      ).join('');
    const count = (): number => raw.text().split(' ok (send)').length - 1;
    await raw.write(batch('sync', 0));
    expect(await raw.until(() => count() === 50)).toBe(true);
    expect(writes).toBe(1);
    await raw.write(batch('async', 100));
    expect(await raw.until(() => count() === 100)).toBe(true);
    expect(writes).toBe(2);
  });
});
