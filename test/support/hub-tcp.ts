/**
 * Helpers for tests against the real hub server (test/integration/hub-*.test.ts): a hub
 * configuration like TEST_HUB, a captured pino log, raw sockets that read what the server
 * writes, a TranscriptPeer over a socket, and a cleanup list run in `afterEach`.
 */
import * as net from 'node:net';
import { afterEach } from 'vitest';
import { hubSchema, type HubConfig } from '../../src/config/schema.js';
import { gssapiStub, TEST_HUB } from './hub-test-app.js';
import { createRootLogger, type Logger } from '../../src/log.js';
import { createHubServer, type HubApplication, type HubServer } from '../../src/hub/server.js';
import type { Protocol } from '../../src/protocol/methods.js';
import { sleep } from './net.js';
import type { TranscriptPeer } from './transcript.js';

export { sleep };

/** Async clean-ups, run in reverse order (afterEach). */
export class Cleanup {
  private readonly tasks: (() => unknown)[] = [];
  add<T>(thing: T, task: (t: T) => unknown): T {
    this.tasks.push(() => task(thing));
    return thing;
  }
  async run(): Promise<void> {
    for (const t of this.tasks.splice(0).reverse()) {
      try {
        await t();
      } catch {
        // best effort
      }
    }
  }
}

/** A Cleanup whose tasks run after each test of the file. */
export function useCleanup(): Cleanup {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());
  return cleanup;
}

/** The `hub` section for tests: ports 0, TEST_HUB's account alice/secret, PLAIN allowed in clear. */
export function testHubConfig(extra: Record<string, unknown> = {}): HubConfig {
  const { sasl, limits, ...rest } = extra as { sasl?: object; limits?: object };
  return hubSchema.parse({
    imtp: { port: 0 },
    pitp: { port: 0 },
    sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true, ...sasl },
    accounts: [
      { user: 'alice', password: 'secret', identities: ['im:alice@hub.example.net'] },
      { user: 'bob', password: 'hunter2', identities: ['im:bob@hub.example.net'] },
    ],
    limits: { ...limits },
    ...rest,
  });
}

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
  find(msg: string, fields?: Record<string, unknown>): Record<string, unknown> | undefined;
  waitFor(msg: string, fields?: Record<string, unknown>, ms?: number): Promise<Record<string, unknown>>;
}

/** A root logger (with the project's redaction) whose lines are parsed into `lines`. */
export function captureLog(level: 'trace' | 'debug' | 'info' = 'debug'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const log = createRootLogger({
    level,
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  const find = (msg: string, fields: Record<string, unknown> = {}): Record<string, unknown> | undefined =>
    lines.find((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
  return {
    log,
    lines,
    find,
    async waitFor(msg, fields = {}, ms = 3000) {
      const t0 = Date.now();
      for (;;) {
        const l = find(msg, fields);
        if (l !== undefined) return l;
        if (Date.now() - t0 > ms) throw new Error(`no log line "${msg}" ${JSON.stringify(fields)}`);
        await sleep(5);
      }
    },
  };
}

export interface StartedHub {
  readonly server: HubServer;
  readonly port: number;
}

/** Starts a hub server on 127.0.0.1:0 configured like TEST_HUB; stopped by `cleanup`. */
export async function startHub(
  cleanup: Cleanup,
  o: { protocol?: Protocol; config?: HubConfig; application: HubApplication; log: Logger; gssapi?: boolean },
): Promise<StartedHub> {
  const server = createHubServer({
    protocol: o.protocol ?? 'imtp',
    config: o.config ?? testHubConfig(),
    application: o.application,
    log: o.log,
    hostname: TEST_HUB.hostname,
    ...(o.gssapi === true ? { extraMechanisms: [gssapiStub()] } : {}),
  });
  cleanup.add(server, (s) => s.stop(200));
  const { port } = await server.start();
  return { server, port };
}

/** A raw socket that keeps what the server writes. */
export interface RawPeer {
  readonly socket: net.Socket;
  /** Everything received so far, as latin1 text. */
  text(): string;
  readonly ended: () => boolean;
  /** Waits until the text matches (or the socket ends, or `ms` pass). */
  until(test: (text: string) => boolean, ms?: number): Promise<boolean>;
  write(bytes: Uint8Array | string): Promise<void>;
  take(n: number): Buffer;
  readonly size: () => number;
}

export async function rawConnect(cleanup: Cleanup, port: number, read = true): Promise<RawPeer> {
  const socket = cleanup.add(net.connect({ host: '127.0.0.1', port }), (s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return wrapSocket(socket, read);
}

/** A plain TCP listener standing in for a hub: resolves each accepted socket as a RawPeer. */
export async function fakeHub(cleanup: Cleanup): Promise<{ port: number; accepted: Promise<RawPeer> }> {
  let accept!: (p: RawPeer) => void;
  const accepted = new Promise<RawPeer>((r) => (accept = r));
  const server = net.createServer((s) => {
    cleanup.add(s, (x) => x.destroy());
    accept(wrapSocket(s, true));
  });
  cleanup.add(server, (x) => new Promise((r) => x.close(r)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, accepted };
}

export function wrapSocket(socket: net.Socket, read: boolean): RawPeer {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  socket.on('data', (d: Buffer) => {
    chunks.push(d);
    size += d.length;
    poke();
  });
  socket.on('end', () => {
    ended = true;
    poke();
  });
  socket.on('close', () => {
    ended = true;
    poke();
  });
  if (!read) socket.pause();
  const all = (): Buffer => {
    if (chunks.length > 1) chunks = [Buffer.concat(chunks)];
    return chunks[0] ?? Buffer.alloc(0);
  };
  return {
    socket,
    text: () => all().toString('latin1'),
    ended: () => ended,
    size: () => size,
    async until(test, ms = 3000) {
      const t0 = Date.now();
      while (!test(all().toString('latin1'))) {
        if (ended || Date.now() - t0 > ms) return test(all().toString('latin1'));
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
      }
      return true;
    },
    write: (bytes) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) resolve();
        else socket.write(bytes, () => resolve());
      }),
    take(n) {
      const b = all();
      const head = b.subarray(0, n);
      chunks = [b.subarray(head.length)];
      size -= head.length;
      return head;
    },
  };
}

/** A TranscriptPeer over a socket: the implementation under test is on the other end. */
export function socketPeer(peer: RawPeer): TranscriptPeer {
  return {
    write: (bytes) => peer.write(bytes),
    async read(n) {
      await peer.until(() => peer.size() >= n, 2000);
      return peer.take(n);
    },
    async closed() {
      await peer.until(() => peer.ended(), 2000);
      return peer.ended();
    },
    end: () => void peer.socket.end(),
    async leftover() {
      await sleep(30);
      return peer.take(Infinity);
    },
  };
}
