/**
 * Kill test, web posts (issue 15, "Done when"; needs web chat protocol version 2 with history, on
 * branch wt-webhist, docs/adapters/web-chat.md "History"): a web user posts to a room; the gateway
 * is killed with SIGKILL mid-stream and started again on the same store. A web user who joins the
 * room afterwards sees its history: every post answered `ok` once, in order, and the history sent
 * on join is the newest part of what paging back with `history` requests returns.
 */
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { useKillGateways } from '../../support/kill-gateway.js';
import { duplicates, missing, numberOf, numbered, streamAndKill } from './stream.js';

const start = useKillGateways();

const ROOM = 'im:lobby@gw.test';
const TOKENS = { ann: 'ann-token-0123456789', ben: 'ben-token-0123456789' } as const;

type Frame = Record<string, unknown> & { type: string };

/** A raw web chat client (the `ws` package) that keeps every frame and waits for one. */
class WebClient {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString('utf8')) as Frame;
      // Every delivered message is acknowledged, as the page does once it showed it.
      if (f.type === 'message' && typeof f['delivery'] === 'string')
        ws.send(JSON.stringify({ type: 'ack', delivery: f['delivery'] }));
      this.frames.push(f);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async signIn(port: number, token: string): Promise<WebClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const c = new WebClient(ws);
    ws.send(JSON.stringify({ type: 'auth', v: 2, token }));
    await c.next((f) => f.type === 'welcome');
    return c;
  }

  /** The first frame from `from` on that matches; rejects when the socket closes or after 10 s. */
  async next(match: (f: Frame) => boolean, from = 0): Promise<Frame> {
    const until = Date.now() + 10_000;
    for (;;) {
      const f = this.frames.slice(from).find(match);
      if (f !== undefined) return f;
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error('the web chat socket closed');
      if (Date.now() > until) throw new Error('no such frame from the web chat adapter in 10 s');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** Sends a request and waits for its `result` (or, for `history`, its `history` answer). */
  async request(frame: Frame & { id: string }): Promise<Frame> {
    const from = this.frames.length;
    this.ws.send(JSON.stringify(frame));
    return this.next((f) => f['id'] === frame.id && (f.type === 'result' || f.type === 'history'), from);
  }

  close(): void {
    this.ws.terminate();
  }
}

interface Item {
  readonly id: string;
  readonly cursor: string;
  readonly text: string;
}

it('web posts answered ok before a SIGKILL are in the room history once, in order, for a user joining after the restart', async () => {
  const gw = await start({
    extraPorts: ['http'],
    config: (p) => ({
      rooms: [
        { name: 'lobby', address: ROOM, members: ['im:room.lobby@web.test', 'im:carol@gw.test'], open: true },
      ],
      adapters: [
        {
          type: 'websocket',
          domain: 'web.test',
          http: { host: '127.0.0.1', port: p.http, page: false },
          auth: { tokens: Object.entries(TOKENS).map(([user, token]) => ({ user, token })) },
          limits: {
            messagesPerSecond: 100_000,
            messageBurst: 100_000,
            framesPerSecond: 100_000,
            frameBurst: 100_000,
          },
          rooms: [{ name: 'lobby', address: ROOM, title: 'Lobby' }],
        },
      ],
    }),
  });
  const ann = await WebClient.signIn(gw.ports.http!, TOKENS.ann);
  expect((await ann.request({ type: 'join', id: 'j1', room: 'lobby' }))['status']).toBe('ok');
  const out = await streamAndKill({
    total: 5_000,
    window: 8,
    killAfterOk: 200,
    kill: async () => {
      await gw.kill();
      ann.close();
    },
    send: async (i) => {
      const r = await ann.request({ type: 'send', id: `s${i}`, room: 'lobby', text: numbered('web', i) });
      return r['status'] === 'ok';
    },
  });
  expect(out.failed.length).toBeGreaterThan(0);

  await gw.restart();
  const ben = await WebClient.signIn(gw.ports.http!, TOKENS.ben);
  const joinedAt = ben.frames.length;
  expect((await ben.request({ type: 'join', id: 'j2', room: 'lobby' }))['status']).toBe('ok');
  const onJoin = (await ben.next((f) => f.type === 'history' && f['id'] === undefined, joinedAt))[
    'messages'
  ] as Item[];
  expect(onJoin.length).toBeGreaterThan(0);

  // Page back through the whole history (bounded: at most 100 pages).
  const all: Item[] = [];
  let before: string | undefined;
  for (let page = 0; page < 100; page++) {
    const h = await ben.request({
      type: 'history',
      id: `h${page}`,
      conversation: ROOM,
      limit: 500,
      ...(before === undefined ? {} : { before }),
    });
    const items = h['messages'] as Item[];
    all.unshift(...items);
    if (h['more'] !== true || items.length === 0) break;
    before = items[0]!.cursor;
  }
  ben.close();
  await gw.terminate();

  const numbers = all.map((m) => numberOf('web', m.text)).filter((n): n is number => n !== undefined);
  expect(duplicates(numbers)).toEqual([]);
  expect(missing(out.ok, numbers)).toEqual([]);
  // Posts from one socket are accepted in the order the page sent them.
  expect(numbers.every((n, i) => i === 0 || numbers[i - 1]! < n)).toBe(true);
  // What the join showed is the newest part of that history, message for message.
  expect(onJoin.map((m) => m.id)).toEqual(all.slice(-onJoin.length).map((m) => m.id));
}, 60_000);
