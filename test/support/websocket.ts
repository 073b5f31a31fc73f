/**
 * A gateway with the websocket adapter on a free loopback port, and a `ws` test client that
 * checks every server frame against the protocol's schema (adapters/websocket/protocol.ts).
 */
import { WebSocket } from 'ws';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import { serverFrame, type ServerFrame } from '../../adapters/websocket/protocol.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { stopAfterEach } from './stop-after.js';

export const SECRET = 'test-secret-0123456789-0123456789-abcdef';
export const TOKENS = {
  alice: 'alice-token-0123456789',
  bob: 'bob-token-0123456789',
  dave: 'dave-token-0123456789',
} as const;

export interface WebGateway {
  readonly gw: TestGateway;
  readonly adapter: WebSocketAdapter;
  /** http://127.0.0.1:port */
  readonly http: string;
  /** ws://127.0.0.1:port/ws */
  readonly ws: string;
  stop(): Promise<void>;
}

/**
 * gw.test gateway; web users under web.test; rooms lobby (open) and staff (alice only). `gateway`
 * adds top-level sections (such as `storage`).
 */
export async function startWebGateway(
  adapter: Record<string, unknown> = {},
  gateway: Record<string, unknown> = {},
): Promise<WebGateway> {
  const gw = await startTestGateway({
    adapterDefinitions: [websocketAdapter as AdapterDefinition<never>],
    logLevel: 'warn',
    config: {
      rooms: [
        {
          name: 'lobby',
          address: 'im:lobby@gw.test',
          members: ['im:room.lobby@web.test', 'im:carol@gw.test'],
          open: true,
        },
        { name: 'staff', address: 'im:staff@gw.test', members: ['im:room.staff@web.test'] },
      ],
      adapters: [
        {
          type: 'websocket',
          domain: 'web.test',
          http: { port: 0 },
          auth: {
            tokens: Object.entries(TOKENS).map(([user, token]) => ({ user, token })),
            hmacSecret: SECRET,
          },
          deliveryTimeoutMs: 300,
          rooms: [
            { name: 'lobby', address: 'im:lobby@gw.test', title: 'Lobby' },
            { name: 'staff', address: 'im:staff@gw.test', members: ['alice'] },
          ],
          ...adapter,
        },
      ],
      ...gateway,
    },
  });
  const a = gw.gateway.adapters[0]!.adapter as WebSocketAdapter;
  const at = a.address!;
  return {
    gw,
    adapter: a,
    http: `http://${at.host}:${at.port}`,
    ws: `ws://${at.host}:${at.port}/ws`,
    stop: () => gw.stop(),
  };
}

/** The websocket adapter's config entry serving `domain` on a free port, TOKENS' users signing in. */
export function webAdapterEntry(domain: string): Record<string, unknown> {
  return {
    type: 'websocket',
    domain,
    http: { port: 0 },
    auth: { tokens: Object.entries(TOKENS).map(([user, token]) => ({ user, token })) },
  };
}

/** ws://host:port/ws of the websocket adapter of `g`. */
export function wsUrlOf(g: TestGateway): string {
  const at = (g.gateway.adapters.find((a) => a.type === 'websocket')!.adapter as WebSocketAdapter).address!;
  return `ws://${at.host}:${at.port}/ws`;
}

/** startWebGateway, each gateway stopped after its test. */
export const useWebGateways = () => stopAfterEach(startWebGateway);

export class TestClient {
  readonly frames: ServerFrame[] = [];
  private seq = 0;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, binary) => {
      const value: unknown = JSON.parse((data as Buffer).toString('utf8'));
      if (binary) throw new Error('binary frame from the server');
      // Every server frame must match the documented schema.
      this.frames.push(serverFrame.parse(value));
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (from `from` on) matching `pred`, waiting up to `ms`. */
  async waitFor<T extends ServerFrame>(
    pred: (f: ServerFrame) => f is T,
    ms?: number,
    from?: number,
  ): Promise<T>;
  async waitFor(pred: (f: ServerFrame) => boolean, ms?: number, from?: number): Promise<ServerFrame>;
  async waitFor(pred: (f: ServerFrame) => boolean, ms = 3000, from = 0): Promise<ServerFrame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.slice(from).find(pred);
      if (found) return found;
      if (Date.now() > deadline || this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`no matching frame; got ${JSON.stringify(this.frames.slice(from))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.max(1, deadline - Date.now())).unref();
      });
    }
  }

  /** Sends a request with a fresh id and resolves with its result (or error, or history) frame. */
  async request(frame: Record<string, unknown>, ms = 3000): Promise<ServerFrame> {
    const id = `t${++this.seq}`;
    const from = this.frames.length;
    this.send({ ...frame, id });
    return this.waitFor(
      (f) => (f.type === 'result' || f.type === 'error' || f.type === 'history') && f.id === id,
      ms,
      from,
    );
  }

  /** Acknowledges every message frame received so far (what the page does). */
  ackAll(): void {
    for (const f of this.frames)
      if (f.type === 'message' && f.delivery !== '') this.send({ type: 'ack', delivery: f.delivery });
  }

  close(): void {
    this.ws.terminate();
  }
}

export async function connect(
  url: string,
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<TestClient> {
  const ws = new WebSocket(url, options);
  const client = new TestClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

/**
 * Connects and signs in with protocol version `v`; acknowledges messages automatically unless
 * `autoAck` is false.
 */
export async function signIn(url: string, token: string, autoAck = true, v = 1): Promise<TestClient> {
  const c = await connect(url);
  if (autoAck)
    c.ws.on('message', (data) => {
      const f = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
      if (f.type === 'message' && f.delivery !== '') c.send({ type: 'ack', delivery: f.delivery });
    });
  c.send({ type: 'auth', v, token });
  await c.waitFor((f) => f.type === 'welcome');
  return c;
}
