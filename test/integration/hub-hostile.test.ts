/**
 * Hostile input against the real hub server. Each attack runs beside a well-behaved client that
 * must still get its answer afterwards, and each leaves a log line naming the remote peer
 * (part 4 row 26 limits, draft §7 / part 3 row 4: no deadlock, bounded memory).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectHub, type HubClient } from '../../src/hub/client.js';
import { getHeader } from '../../src/protocol/index.js';
import type { HubApplication } from '../../src/hub/server.js';
import {
  captureLog,
  useCleanup,
  rawConnect,
  startHub,
  testHubConfig,
  type CapturedLog,
} from '../support/hub-tcp.js';
import { sendText } from '../support/hub-calls.js';

const cleanup = useCleanup();

const BIG = Buffer.alloc(60_000, 0x61);

/** send to im:echo answers with the payload, im:slow never answers, im:spam makes the server send 400 large commands back. */
const app: HubApplication = {
  allowUnauthenticated: (m) => m === 'send',
  command(conn, cmd) {
    const inbox = getHeader(cmd.headers, 'Inbox') ?? '';
    if (inbox.startsWith('im:echo@')) return { status: 'ok', headers: [], payload: cmd.payload };
    if (inbox.startsWith('im:slow@')) return new Promise(() => {});
    if (inbox.startsWith('im:spam@'))
      for (let i = 0; i < 400; i++)
        void conn.command(
          'send',
          [
            ['Sender', 'im:hub@hub.example.net'],
            ['Inbox', 'im:x@hub.example.net'],
          ],
          BIG,
        );
    return { status: 'ok', headers: [] };
  },
};

function send(id: string | number, inbox: string, payload: string | Buffer = 'x'): Buffer {
  const body = Buffer.from(payload);
  const head = `>${id} send\r\nSender: im:mallory@hub.example.net\r\nInbox: im:${inbox}@hub.example.net\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

interface Arena {
  readonly port: number;
  readonly captured: CapturedLog;
  readonly victim: HubClient;
  /** The well-behaved client still gets its answer. */
  victimWorks(): Promise<void>;
}

async function arena(limits: Record<string, number> = {}): Promise<Arena> {
  const captured = captureLog('info');
  const config = testHubConfig({ limits: { maxBufferedOutputBytes: 256 * 1024, ...limits } });
  const { port } = await startHub(cleanup, { config, application: app, log: captured.log });
  const victim = await connectHub({
    host: '127.0.0.1',
    port,
    protocol: 'imtp',
    sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
  });
  cleanup.add(victim, (v) => v.close());
  const victimWorks = async (): Promise<void> => {
    const r = await sendText(victim, 'im:alice@hub.example.net', 'im:fred@hub.example.net', 'still here?');
    expect(r.status).toBe('ok');
  };
  await victimWorks();
  return { port, captured, victim, victimWorks };
}

async function protocolError(payload: Buffer | Buffer[], problem: RegExp, end = false): Promise<void> {
  const a = await arena();
  const attacker = await rawConnect(cleanup, a.port);
  for (const p of Array.isArray(payload) ? payload : [payload]) await attacker.write(p);
  if (end) attacker.socket.end();
  expect(await attacker.until(() => attacker.ended())).toBe(true);
  const line = await a.captured.waitFor('hub protocol error, connection closed');
  expect(line.problem).toMatch(problem);
  expect(line.remote).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(line.level).toBe(40);
  await a.victimWorks();
}

describe('hostile input against the hub server', () => {
  it('a 10 MB header line', async () => {
    const line = Buffer.concat([
      Buffer.from('>1 send\r\nX-Big: '),
      Buffer.alloc(10 * 1024 * 1024, 0x62),
      Buffer.from('\r\n\r\n'),
    ]);
    await protocolError(line, /line longer than 8192 octets/);
  });

  it('a million headers', async () => {
    const many = Buffer.from('X-H: v\r\n'.repeat(1_000_000));
    await protocolError([Buffer.from('>1 send\r\n'), many, Buffer.from('\r\n')], /more than 1000 headers/);
  });

  it('a negative Content-Length', async () => {
    await protocolError(Buffer.from('>1 send\r\nContent-Length: -5\r\n\r\nx'), /invalid Content-Length/);
  });

  it('a huge Content-Length', async () => {
    await protocolError(
      Buffer.from('>1 send\r\nContent-Length: 99999999999999\r\n\r\n'),
      /above the limit of 65536/,
    );
  });

  it('a payload that ends early, then the socket closes', async () => {
    const cut = send(1, 'echo', 'x'.repeat(100)).subarray(0, -90);
    await protocolError(cut, /stream ended inside a payload \(truncated message\)/, true);
  });

  it('a garbage byte stream', async () => {
    await protocolError(randomBytes(1024 * 1024), /line|start line|CRLF/);
  });

  it('a peer that never reads the large answers it asks for', async () => {
    const a = await arena();
    const attacker = await rawConnect(cleanup, a.port, false);
    const burst = Buffer.concat(Array.from({ length: 20 }, (_, i) => send(i, 'echo', BIG)));
    for (let round = 0; round < 20 && !attacker.ended(); round++) await attacker.write(burst);
    const line = await a.captured.waitFor('hub peer not reading, connection closed');
    expect(line.queued).toBeGreaterThan(256 * 1024);
    await a.captured.waitFor('hub connection closed', { code: 'peer-not-reading' });
    await a.victimWorks();
  });

  it('a peer that never reads the commands the server sends it', async () => {
    const a = await arena({ maxOutstandingCommands: 1000 });
    const attacker = await rawConnect(cleanup, a.port, false);
    await attacker.write(send(1, 'spam'));
    await a.captured.waitFor('hub peer not reading, connection closed');
    await a.victimWorks();
  });

  it('a flood of 100k pipelined commands gets resources beyond maxOutstandingCommands', async () => {
    const a = await arena({ maxOutstandingCommands: 64, maxBufferedOutputBytes: 8 * 1024 * 1024 });
    const attacker = await rawConnect(cleanup, a.port);
    const N = 100_000;
    const flood = Buffer.concat(Array.from({ length: N }, (_, i) => send(i.toString(36), 'slow')));
    // Count the refusals as they stream in (the pattern may straddle two chunks).
    const pattern = 'Error-Type: resources\r\n';
    let refused = 0;
    let carry = '';
    let allRefused!: () => void;
    const done = new Promise<void>((r) => (allRefused = r));
    attacker.socket.on('data', (d: Buffer) => {
      const text = carry + d.toString('latin1');
      for (let i = text.indexOf(pattern); i !== -1; i = text.indexOf(pattern, i + 1)) refused++;
      carry = text.slice(-(pattern.length - 1));
      if (refused === N - 64) allRefused();
    });
    const t0 = Date.now();
    const writing = attacker.write(flood);
    await a.victimWorks(); // answered while the flood is being read
    await writing;
    await done;
    expect(Date.now() - t0).toBeLessThan(15_000);
    const line = a.captured.find('hub too many unanswered commands, refusing')!;
    expect(line).toMatchObject({ limit: 64, level: 40 });
    expect(
      a.captured.lines.filter((l) => l.msg === 'hub too many unanswered commands, refusing'),
    ).toHaveLength(1);
    await a.victimWorks();
  });

  it('too many connections', async () => {
    const a = await arena({ maxConnections: 3 });
    const ok = [await rawConnect(cleanup, a.port), await rawConnect(cleanup, a.port)];
    for (const p of ok) expect(await p.until((t) => t.startsWith('=mech'))).toBe(true);
    const extra = [await rawConnect(cleanup, a.port), await rawConnect(cleanup, a.port)];
    for (const p of extra) {
      expect(await p.until(() => p.ended())).toBe(true);
      expect(p.text()).toBe('');
    }
    const line = await a.captured.waitFor('hub connection limit reached, connection refused');
    expect(line).toMatchObject({ limit: 3, level: 40 });
    expect(line.remote).toMatch(/^127\.0\.0\.1:/);
    await a.victimWorks();
    ok[0]!.socket.destroy();
    await a.captured.waitFor('hub connection closed', { code: 'peer-closed' });
    const again = await rawConnect(cleanup, a.port);
    expect(await again.until((t) => t.startsWith('=mech PLAIN'))).toBe(true);
  });

  it('three authentication failures close the connection', async () => {
    const a = await arena();
    const attacker = await rawConnect(cleanup, a.port);
    const auth = (id: number): Buffer =>
      Buffer.concat([
        Buffer.from(`>${id} auth\r\nMechanism: PLAIN\r\nContent-Length: 12\r\n\r\n`),
        Buffer.from('\0alice\0wrong'),
      ]);
    for (const id of [1, 2, 3]) await attacker.write(auth(id));
    expect(await attacker.until(() => attacker.ended())).toBe(true);
    expect(attacker.text().split('Error-Type: sasl-failure').length - 1).toBe(3);
    for (const failures of [1, 2, 3])
      expect(a.captured.find('hub authentication failed', { failures })).toMatchObject({
        level: 40,
        problem: 'invalid credentials',
      });
    await a.captured.waitFor('hub too many authentication failures, connection closed');
    await a.captured.waitFor('hub connection closed', { code: 'auth-failures' });
    expect(JSON.stringify(a.captured.lines)).not.toContain('wrong');
    await a.victimWorks();
  });
});
