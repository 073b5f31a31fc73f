/**
 * Per-address connection limits on every listener (issue 13 defect 4, `limits.connectionsPerAddress`):
 * one address holding its limit's worth of idle connections is refused the next one in the
 * protocol's idiom (hub: an empty `=mech` and close; SMTP: 421 4.7.0; HTTP: 503 with
 * Retry-After, also for a WebSocket upgrade), with a warn line, while a client from another
 * address (127.0.0.2 on the Linux loopback) is still served; a closed connection frees its slot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapterDefinition } from '../../adapters/email/index.js';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { EmailAdapter } from '../../adapters/email/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { stubResolver } from '../support/email.js';
import { connect, TOKENS } from '../support/websocket.js';

const LIMIT = 5;
const OTHER = '127.0.0.2';

/** A raw TCP client that collects what it reads. */
interface Peer {
  readonly socket: net.Socket;
  text(): string;
  /** Resolves once the text read so far matches. */
  until(re: RegExp, ms?: number): Promise<string>;
  readonly closed: Promise<void>;
}

const peers: Peer[] = [];

function open(port: number, localAddress = '127.0.0.1'): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let got = '';
    const waiters: (() => void)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const peer: Peer = {
      socket,
      text: () => got,
      closed,
      until: (re, ms = 5000) =>
        new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error(`no ${String(re)} in ${JSON.stringify(got)}`)), ms);
          const check = (): void => {
            if (re.test(got)) {
              clearTimeout(timer);
              res(got);
            } else waiters.push(check);
          };
          check();
        }),
    };
    peers.push(peer);
    socket.once('connect', () => resolve(peer));
    socket.once('error', reject);
  });
}

/** `n` connections from 127.0.0.1, each past its greeting (so the server has counted it). */
async function fill(port: number, greeting: RegExp | null, n = LIMIT): Promise<Peer[]> {
  const all: Peer[] = [];
  for (let i = 0; i < n; i++) {
    const p = await open(port);
    if (greeting !== null) await p.until(greeting);
    all.push(p);
  }
  // HTTP sends no greeting: give the server a moment to accept them all.
  if (greeting === null) await new Promise((r) => setTimeout(r, 200));
  return all;
}

function warned(gw: TestGateway, msg: string): Record<string, unknown>[] {
  return gw.logs().filter((l) => l['msg'] === msg && l['level'] === 40);
}

let gw: TestGateway;
let outDir: string;
let smtpPort: number;
let httpPort: number;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'peraddr-'));
  gw = await startTestGateway({
    logLevel: 'warn',
    config: {
      limits: { connectionsPerAddress: LIMIT, warnIntervalMs: 60_000 },
      adapters: [
        {
          type: 'email',
          id: 'email',
          domain: 'mail.gw.test',
          localDomain: 'gw.test',
          outbound: { transport: 'directory', directory: outDir },
          inbound: { port: 0, host: '127.0.0.1' },
        },
        {
          type: 'websocket',
          id: 'web',
          domain: 'web.test',
          http: { port: 0, host: '127.0.0.1' },
          auth: { tokens: Object.entries(TOKENS).map(([user, token]) => ({ user, token })) },
        },
      ],
    },
    adapterDefinitions: [
      createEmailAdapterDefinition({ resolver: stubResolver({}) }) as AdapterDefinition<never>,
      websocketAdapter as AdapterDefinition<never>,
    ],
  });
  const byType = (t: string) => gw.gateway.adapters.find((a) => a.type === t)!.adapter;
  smtpPort = (byType('email') as EmailAdapter).smtpAddress!.port;
  httpPort = (byType('websocket') as WebSocketAdapter).address!.port;
});

afterAll(async () => {
  await gw?.stop();
  await rm(outDir, { recursive: true, force: true });
});

afterEach(async () => {
  const all = peers.splice(0);
  for (const p of all) p.socket.destroy();
  await Promise.all(all.map((p) => p.closed));
  // Let the servers see the closes before the next test fills them again.
  await new Promise((r) => setTimeout(r, 100));
});

describe.each(['imtp', 'pitp'] as const)('hub %s listener', (protocol) => {
  it('refuses one address over the limit with an empty =mech, serves another address', async () => {
    const port = gw[protocol].port;
    const held = await fill(port, /^=mech PLAIN\r\n/);
    const over = await open(port);
    await over.closed;
    expect(over.text()).toBe('=mech\r\n');
    expect(warned(gw, 'hub connection refused: too many connections from this address')).not.toHaveLength(0);
    // Another address is served: it is offered PLAIN and can authenticate.
    const other = await open(port, OTHER);
    await other.until(/^=mech PLAIN\r\n/);
    // A closed connection frees its slot for its address.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(port);
    await again.until(/^=mech PLAIN\r\n/);
  });
});

describe('SMTP listener', () => {
  it('answers 421 4.7.0 over the limit, a 220 banner to another address', async () => {
    const held = await fill(smtpPort, /^220 /);
    const over = await open(smtpPort);
    await over.closed;
    expect(over.text()).toMatch(/^421 4\.7\.0 too many connections from your address\r\n$/);
    expect(warned(gw, 'smtp connection refused: too many connections from this address')).toHaveLength(1);
    const other = await open(smtpPort, OTHER);
    await other.until(/^220 /);
    other.socket.write('EHLO other.example\r\n');
    await other.until(/250 /);
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 300));
    const again = await open(smtpPort);
    await again.until(/^220 /);
  });
});

describe('HTTP / WebSocket listener', () => {
  it('answers 503 with Retry-After over the limit, before any upgrade; serves another address', async () => {
    const held = await fill(httpPort, null);
    const over = await open(httpPort);
    over.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await over.closed;
    expect(over.text()).toMatch(/too many connections from your address\n/);
    expect(over.text()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(over.text()).toMatch(/\r\nRetry-After: 10\r\n/i);
    expect(warned(gw, 'http connection refused: too many connections from this address')).toHaveLength(1);
    // A WebSocket upgrade from the flooding address is refused the same way.
    await expect(connect(`ws://127.0.0.1:${httpPort}/ws`)).rejects.toThrow(/503/);
    // Another address: the page's health answers 200 and a web user signs in.
    const health = await open(httpPort, OTHER);
    health.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await health.closed;
    expect(health.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const alice = await connect(`ws://127.0.0.1:${httpPort}/ws`, { localAddress: OTHER });
    alice.send({ type: 'auth', v: 1, token: TOKENS.alice });
    const welcome = await alice.waitFor((f) => f.type === 'welcome');
    expect(welcome).toMatchObject({ type: 'welcome', user: 'alice' });
    alice.close();
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(httpPort);
    again.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await again.closed;
    expect(again.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
