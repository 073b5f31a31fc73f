/**
 * Idle WebSocket connections: resident memory of a gateway whose web chat adapter holds 1,000
 * and 10,000 signed-in idle connections (100 users with configured tokens, the adapter's
 * connection limits raised for it), per connection, after full GCs. Baseline in the same run: a
 * bare `ws` server (procs/ws-bare.ts, configured as the adapter configures ws) holding the same
 * number of idle connections, each having exchanged one frame each way. Clients run in the
 * harness; children get a raised open-file limit (sh -c 'ulimit -n …') when they need it.
 */
import { WebSocket } from 'ws';
import { gatewayConfig } from './lib/configs.js';
import {
  nextMessage,
  openFilesLimit,
  spawn,
  startGatewayProcess,
  stopByPid,
  type MemoryUsage,
} from './lib/procs.js';
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';

const USERS = 100;
const CONCURRENT = 200;
const token = (u: number): string => `bench-user-${u}-token-0123456789`;

function webConfig(max: number): Record<string, unknown> {
  return {
    ...gatewayConfig('gw.test'),
    adapters: [
      {
        type: 'websocket',
        domain: 'web.test',
        http: { host: '127.0.0.1', port: 0, page: false, metrics: false },
        auth: { tokens: Array.from({ length: USERS }, (_, u) => ({ user: `u${u}`, token: token(u) })) },
        limits: { maxConnections: max + 100, maxConnectionsPerUser: Math.ceil(max / USERS) + 1 },
      },
    ],
  };
}

/** Opens a connection, sends `first` and waits for the answer (welcome), then leaves it idle. */
function openIdle(url: string, first: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const t = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no welcome from ${url} in 10 s`));
    }, 10_000);
    ws.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    ws.once('open', () => ws.send(first));
    ws.once('message', (data: Buffer) => {
      clearTimeout(t);
      const text = data.toString('utf8');
      if (!text.includes('"welcome"')) reject(new Error(`not welcomed: ${text.slice(0, 200)}`));
      else resolve(ws);
    });
  });
}

/** Grows `open` to `target` connections, CONCURRENT handshakes at a time. */
async function openMany(
  open: WebSocket[],
  target: number,
  url: string,
  first: (i: number) => string,
): Promise<void> {
  while (open.length < target) {
    const n = Math.min(CONCURRENT, target - open.length);
    const base = open.length;
    open.push(...(await Promise.all(Array.from({ length: n }, (_, k) => openIdle(url, first(base + k))))));
  }
}

interface Step {
  readonly connections: number;
  readonly rssPer: number;
  readonly heapPer: number;
  readonly externalPer: number;
  readonly rss: number;
}

function step(connections: number, base: MemoryUsage, now: MemoryUsage): Step {
  return {
    connections,
    rssPer: (now.rss - base.rss) / connections,
    heapPer: (now.heapUsed - base.heapUsed) / connections,
    externalPer: (now.external - base.external) / connections,
    rss: now.rss,
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 500));

async function measureGateway(ctx: BenchContext, steps: readonly number[]): Promise<Step[]> {
  const max = steps[steps.length - 1]!;
  const gw = await startGatewayProcess(webConfig(max), { adapters: true, fdLimit: max + 1024 });
  const open: WebSocket[] = [];
  try {
    const at = gw.adapters.find((a) => a.type === 'websocket')?.address;
    if (!at) throw new Error('the web chat adapter reported no address');
    const url = `ws://${at.host}:${at.port}/ws`;
    // One connection per user first, so per-user state (presence) is in the base figure.
    await openMany(open, USERS, url, (i) => JSON.stringify({ type: 'auth', v: 1, token: token(i % USERS) }));
    await settle();
    const base = await gw.memory();
    const out: Step[] = [];
    for (const n of steps) {
      ctx.progress(`websocket: gateway, ${n} idle connections`);
      await openMany(open, USERS + n, url, (i) =>
        JSON.stringify({ type: 'auth', v: 1, token: token(i % USERS) }),
      );
      await settle();
      out.push(step(n, base, await gw.memory()));
    }
    return out;
  } finally {
    for (const ws of open) ws.terminate();
    await gw.stop();
  }
}

async function measureBare(ctx: BenchContext, steps: readonly number[]): Promise<Step[]> {
  const max = steps[steps.length - 1]!;
  const child = spawn('ws-bare.ts', ['--expose-gc'], max + 1024);
  const open: WebSocket[] = [];
  try {
    const { port } = await nextMessage<{ port: number }>(child, 'ready');
    const memory = async (): Promise<MemoryUsage> => {
      const m = nextMessage<{ usage: MemoryUsage }>(child, 'memory');
      child.send({ type: 'memory' });
      return (await m).usage;
    };
    const url = `ws://127.0.0.1:${port}/ws`;
    const hello = JSON.stringify({ type: 'auth', v: 1, token: token(0) });
    await openMany(open, USERS, url, () => hello);
    await settle();
    const base = await memory();
    const out: Step[] = [];
    for (const n of steps) {
      ctx.progress(`websocket: bare ws server, ${n} idle connections`);
      await openMany(open, USERS + n, url, () => hello);
      await settle();
      out.push(step(n, base, await memory()));
    }
    return out;
  } finally {
    for (const ws of open) ws.terminate();
    await stopByPid(child);
  }
}

function figures(s: Step): Figure[] {
  return [
    { name: 'RSS per connection', value: s.rssPer, unit: 'B', lowerIsBetter: true },
    { name: 'heap per connection', value: s.heapPer, unit: 'B', lowerIsBetter: true },
    { name: 'external per connection', value: s.externalPer, unit: 'B', lowerIsBetter: true },
    { name: 'process RSS', value: s.rss / 1e6, unit: 'MB', lowerIsBetter: true },
  ];
}

export const websocket: Benchmark = {
  name: 'websocket',
  description: 'idle WebSocket connections: resident memory per connection vs a bare ws server',
  async run(ctx: BenchContext): Promise<Entry[]> {
    let steps = ctx.quick ? [500] : [1000, 10_000];
    const own = openFilesLimit();
    const skipped: Entry[] = [];
    // The clients live in this process: one descriptor each, plus some for everything else.
    if (own !== null && own < steps[steps.length - 1]! + USERS + 256) {
      const fit = steps.filter((n) => n + USERS + 256 <= own);
      skipped.push(
        entry(`${steps.filter((n) => !fit.includes(n)).join(', ')} idle WebSocket connections`, [], null, {
          notes: `skipped: this process may open ${own} files (ulimit -n); raise it to run these`,
        }),
      );
      steps = fit;
    }
    if (steps.length === 0) return skipped;
    const gw = await measureGateway(ctx, steps);
    const bare = await measureBare(ctx, steps);
    return [
      ...gw.map((s, i) =>
        entry(
          `${s.connections.toLocaleString('en')} idle WebSocket connections (signed in, ${USERS} users)`,
          figures(s),
          { name: 'bare ws server, same connections, same run', figures: figures(bare[i]!) },
          {
            notes: `deltas after full GCs from a base of ${USERS} connections (one per user); the bare server answered one frame per connection`,
          },
        ),
      ),
      ...skipped,
    ];
  },
};
