/** PeerLink with fake connections: pooling, backoff, the draft §7 close rule (row 55), row 13. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { HubClient } from '../hub/client.js';
import type { CommandFrame, ResponseFrame } from '../hub/frame/index.js';
import type { Answer } from '../protocol/index.js';
import type { AnswerSink, Operation } from '../router/index.js';
import { RelayedSend } from '../router/visited.js';
import { DialError, PeerLink } from './link.js';
import { refuseOnOutbound } from './outbound-commands.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEND: Operation = {
  protocol: 'imtp',
  method: 'send',
  headers: [['Sender', 'im:a@a.test']],
  payload: new Uint8Array([1]),
};
const typeOf = (a: { headers: readonly (readonly [string, string])[] }) =>
  a.headers.find(([n]) => n === 'Error-Type')?.[1];

/** A fake connection: commands wait until answered by the test; `peerClose` acts like the far side closing. */
class FakeClient {
  readonly pending: { method: string; resolve: (r: ResponseFrame) => void; raw?: unknown }[] = [];
  closedByUs = false;
  isClosed = false;
  /** The hub connection's relay path (issue 18): the answer to a sink, no promise. */
  readonly connection = {
    relay: (
      method: string,
      _h: unknown,
      _p: unknown,
      sink: { answered(r: ResponseFrame): void },
      raw?: unknown,
    ): void => {
      this.pending.push({ method, resolve: (r) => sink.answered(r), raw });
    },
    closed: false,
  };
  private resolveClosed!: (r: { code: 'peer-closed'; message: string }) => void;
  readonly closed = new Promise<{ code: 'peer-closed'; message: string }>((r) => (this.resolveClosed = r));
  constructor(readonly onCommand: (c: CommandFrame) => Answer) {}
  command(method: string): Promise<ResponseFrame> {
    return new Promise((resolve) => this.pending.push({ method, resolve }));
  }
  answerAll(status: 'ok' | 'error' = 'ok'): void {
    for (const p of this.pending.splice(0))
      p.resolve({ kind: 'response', id: '1', status, method: p.method, headers: [], payload: undefined });
  }
  peerClose(): void {
    // As the session does: the close is reported first, then the synthetic answers.
    this.connection.closed = true;
    this.resolveClosed({ code: 'peer-closed', message: 'gone' });
    for (const p of this.pending.splice(0))
      p.resolve({
        kind: 'response',
        id: '1',
        status: 'error',
        method: p.method,
        headers: [['Error-Type', 'communications']],
        payload: undefined,
      });
  }
  async close(): Promise<void> {
    this.closedByUs = true;
    this.connection.closed = true;
    this.resolveClosed({ code: 'peer-closed', message: 'closed by us' });
  }
}

/** `PeerLink.relay` as a promise, for the tests. */
function relayed(l: PeerLink, op: Operation): Promise<Answer> {
  return new Promise((resolve) => l.relay(op, { answered: resolve } satisfies AnswerSink));
}

/**
 * A link brought up by a first relayed send (not up yet, it takes deliver's path and opens the
 * connection), answered `ok`.
 */
async function upLink(perSourceOutstanding?: number) {
  const made = link(async (on) => new FakeClient(on), 60_000, 'imtp', perSourceOutstanding);
  const first = relayed(made.l, SEND);
  await sleep(5);
  made.clients[0]!.answerAll();
  expect((await first).status).toBe('ok');
  return made;
}

function link(
  dial: (on: (c: CommandFrame) => Answer) => Promise<FakeClient>,
  idleCloseMs = 60_000,
  protocol: 'imtp' | 'pitp' = 'imtp',
  perSourceOutstanding?: number,
) {
  const clients: FakeClient[] = [];
  const l = new PeerLink({
    protocol,
    peer: 'b.test',
    ownDomain: 'a.test',
    dial: async (on) => {
      const c = await dial(on);
      clients.push(c);
      return c as unknown as HubClient;
    },
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    idleCloseMs,
    log,
    random: () => 1,
    ...(perSourceOutstanding === undefined ? {} : { perSourceOutstanding: () => perSourceOutstanding }),
  });
  return { l, clients };
}

describe('PeerLink', () => {
  it('one connection is created on first use and reused', async () => {
    const { l, clients } = link(async (on) => new FakeClient(on));
    expect(l.state).toBe('idle');
    const a = l.deliver(SEND);
    const b = l.deliver(SEND);
    await sleep(5);
    expect(clients).toHaveLength(1);
    clients[0]!.answerAll();
    expect((await a).status).toBe('ok');
    expect((await b).status).toBe('ok');
    expect(l.state).toBe('up');
    await l.close(100);
  });

  it('row 55: an idle link is closed only when none of our commands is outstanding', async () => {
    const { l, clients } = link(async (on) => new FakeClient(on), 60);
    const a = l.deliver(SEND);
    await sleep(200);
    expect(clients[0]!.closedByUs).toBe(false);
    expect(l.outstanding).toBe(1);
    clients[0]!.answerAll();
    await a;
    await sleep(200);
    expect(clients[0]!.closedByUs).toBe(true);
    expect(l.state).toBe('idle');
    await l.close(100);
  });

  it('row 55: a command the peer left unanswered at close is unprocessed and retried once on a new connection', async () => {
    const { l, clients } = link(async (on) => new FakeClient(on));
    const a = l.deliver(SEND);
    await sleep(5);
    clients[0]!.peerClose();
    await sleep(5);
    expect(clients).toHaveLength(2);
    clients[1]!.peerClose();
    // Cut twice: the second time it is answered communications.
    expect(typeOf(await a)).toBe('communications');
    expect(clients).toHaveLength(2);
    await l.close(100);
  });

  it('row 55: of the commands on a link that is up, only those unanswered at the close are retried', async () => {
    const { l, clients } = link(async (on) => new FakeClient(on));
    const first = l.deliver(SEND);
    await sleep(5);
    clients[0]!.answerAll();
    expect((await first).status).toBe('ok');
    // The link is up: these two take the fast path (issue 18, numbered commands).
    const answered = l.deliver(SEND);
    const cut = l.deliver(SEND);
    expect(l.outstanding).toBe(2);
    clients[0]!.pending
      .shift()!
      .resolve({ kind: 'response', id: '2', status: 'ok', method: 'send', headers: [], payload: undefined });
    clients[0]!.peerClose();
    expect((await answered).status).toBe('ok');
    await sleep(5);
    expect(clients).toHaveLength(2);
    expect(clients[1]!.pending).toHaveLength(1);
    clients[1]!.answerAll();
    expect((await cut).status).toBe('ok');
    expect(l.outstanding).toBe(0);
    await l.close(100);
  });

  it('row 14: after a failed attempt, commands get communications at once; backoff grows and reconnects when wanted', async () => {
    let fail = true;
    let dials = 0;
    const { l } = link(async (on) => {
      dials++;
      if (fail) throw new DialError('unreachable', 'connection refused');
      return new FakeClient(on);
    });
    const first = await l.deliver(SEND);
    expect(typeOf(first)).toBe('communications');
    expect(first.headers).toContainEqual(['Error-Originator', 'a.test']);
    expect(l.state).toBe('down');
    const second = await l.deliver(SEND);
    expect(second.headers.find(([n]) => n === 'Error-Description')?.[1]).toMatch(/next attempt in \d+ ms/);
    expect(dials).toBe(1);
    await sleep(150); // 100 ms backoff: reconnects because a command asked meanwhile; fails again
    expect(dials).toBe(2);
    fail = false;
    await sleep(100); // the second wait is 200 ms
    expect(dials).toBe(2);
    await l.deliver(SEND);
    await sleep(150);
    expect(dials).toBe(3);
    expect(l.state).toBe('up');
    await l.close(100);
  });

  it('a domain without a server answers target-not-found where the method has a target', async () => {
    const { l } = link(
      async () => {
        throw new DialError('no-server', 'no PITP server found for b.test');
      },
      60_000,
      'pitp',
    );
    const fetch = await l.deliver({ protocol: 'pitp', method: 'fetch', headers: [] });
    expect(typeOf(fetch)).toBe('target-not-found');
    await l.close(10);
  });

  it('shutdown from the peer: answered ok, no new commands there, closed once ours are answered', async () => {
    const { l, clients } = link(async (on) => new FakeClient(on));
    const a = l.deliver(SEND);
    await sleep(5);
    const c = clients[0]!;
    expect(
      c.onCommand({ kind: 'command', id: '9', method: 'shutdown', headers: [], payload: undefined }).status,
    ).toBe('ok');
    expect(c.closedByUs).toBe(false);
    const b = l.deliver(SEND);
    await sleep(5);
    expect(clients).toHaveLength(2);
    c.answerAll();
    await a;
    expect(c.closedByUs).toBe(true);
    clients[1]!.answerAll();
    expect((await b).status).toBe('ok');
    await l.close(100);
  });

  it('issue 18: relay on a link that is up answers through the sink, on the same connection', async () => {
    const { l, clients } = await upLink();
    const a = relayed(l, SEND);
    const b = relayed(l, SEND);
    expect(l.outstanding).toBe(2);
    clients[0]!.answerAll('error');
    expect((await a).status).toBe('error');
    expect((await b).status).toBe('error');
    expect(clients).toHaveLength(1);
    expect(l.outstanding).toBe(0);
    await l.close(100);
  });

  it('issue 18: a relayed send goes out as its received header block', async () => {
    const { l, clients } = await upLink();
    const raw = { buf: Buffer.alloc(0) };
    const received: Operation = { ...SEND, raw };
    const op = new RelayedSend(
      received,
      SEND.payload!,
      { visited: 'a.test', maxForwards: '127' },
      'strong',
      'id1',
    );
    const a = relayed(l, op);
    expect(clients[0]!.pending[0]!.raw).toBe(raw);
    clients[0]!.answerAll();
    expect((await a).status).toBe('ok');
    await l.close(100);
  });

  it('issue 18, row 55: relayed commands unanswered at the close are retried once, answered ones not', async () => {
    const { l, clients } = await upLink();
    const answered = relayed(l, SEND);
    const cut = relayed(l, SEND);
    clients[0]!.pending
      .shift()!
      .resolve({ kind: 'response', id: '2', status: 'ok', method: 'send', headers: [], payload: undefined });
    clients[0]!.peerClose();
    expect((await answered).status).toBe('ok');
    await sleep(5);
    expect(clients).toHaveLength(2);
    expect(clients[1]!.pending).toHaveLength(1);
    // Cut twice: the second time it is answered communications.
    clients[1]!.peerClose();
    expect(typeOf(await cut)).toBe('communications');
    expect(clients).toHaveLength(2);
    expect(l.outstanding).toBe(0);
    await l.close(100);
  });

  it('issue 18, issue 19: relay keeps the per-source share of the link', async () => {
    const { l, clients } = await upLink(1);
    const a = relayed(l, SEND);
    const over = await relayed(l, SEND);
    expect(typeOf(over)).toBe('resources');
    expect(over.headers.find(([n]) => n === 'Error-Originator')?.[1]).toBe('a.test');
    const other = relayed(l, { ...SEND, headers: [['Sender', 'im:b@a.test']] });
    clients[0]!.answerAll();
    expect((await a).status).toBe('ok');
    expect((await other).status).toBe('ok');
    // The share is given back with the answer.
    const again = relayed(l, SEND);
    clients[0]!.answerAll();
    expect((await again).status).toBe('ok');
    await l.close(100);
  });

  it('row 13: other commands on our outbound link are refused', () => {
    const cmd = (method: string): CommandFrame => ({
      kind: 'command',
      id: '1',
      method,
      headers: [],
      payload: undefined,
    });
    expect(typeOf(refuseOnOutbound(cmd('send'), 'imtp'))).toBe('source-authorization');
    expect(typeOf(refuseOnOutbound(cmd('change-notify'), 'pitp'))).toBe('source-authorization');
    expect(typeOf(refuseOnOutbound(cmd('terminate-notify'), 'pitp'))).toBe('not-subscribed');
    expect(typeOf(refuseOnOutbound(cmd('fetch-notify'), 'pitp'))).toBe('unknown-method');
  });
});
