/**
 * The IRC path: an IRC client on Debian's ngircd writes PRIVMSG lines to a channel that the
 * gateway's IRC adapter bridges to a gateway room; the lines come out at a hub listener (IMTP,
 * `listen` as bob) and, on a second channel, at a WebSocket client of the web chat adapter.
 * Pipelined (throughput, a window of undelivered lines) and paced at 1,000 lines/s (latency from
 * a line's scheduled send time to its receipt). The adapter's flood pacing is off. Baseline in
 * the same run: the same client's lines to a second raw IRC client through ngircd alone.
 * The gateway runs in its own process; ngircd and the gateway are stopped by PID.
 */
import { WebSocket } from 'ws';
import { gatewayConfig } from './lib/configs.js';
import { RawIrc, privmsgLines, socketSource, webSink } from './lib/irc-load.js';
import {
  ircPlan,
  linesNeeded,
  measurePath,
  measureToHubListener,
  pathEntries,
  procCpuMicros,
  type IrcPlan,
  type PathFigures,
} from './lib/irc-path.js';
import { ngircdInstalled, startNgircd, type NgircdProcess } from './lib/ngircd.js';
import { startGatewayProcess, type GatewayProcess, type GcPauses } from './lib/procs.js';
import { entry, type BenchContext, type Benchmark, type Entry } from './lib/report.js';

export const WEB_TOKEN = 'web-bench-token-0123456789';
export const IRC_DOMAIN = 'irc.test';
/** Channels: the baseline's, the hub listener's, the WebSocket client's. */
export const CHANNELS = { base: '#base', hub: '#bench', web: '#benchweb' } as const;

/**
 * A gateway (gw.test) with the IRC adapter on `ircPort` (relay mode, flood pacing off) bridging
 * #bench to room bench (member: bob, the hub listener) and, with `web`, #benchweb to room
 * benchweb (member: the web chat adapter's room `web`).
 */
export function ircGatewayConfig(ircPort: number, web: boolean): Record<string, unknown> {
  const base = gatewayConfig('gw.test');
  const chan = (c: string): string => `im:${encodeURIComponent(c)}@${IRC_DOMAIN}`;
  return {
    ...base,
    rooms: [
      { name: 'bench', address: 'im:bench@gw.test', members: [chan(CHANNELS.hub), 'im:bob@gw.test'] },
      ...(web
        ? [
            {
              name: 'benchweb',
              address: 'im:benchweb@gw.test',
              members: [chan(CHANNELS.web), 'im:room.web@web.test'],
            },
          ]
        : []),
    ],
    adapters: [
      {
        type: 'irc',
        id: 'irc-bench',
        domain: IRC_DOMAIN,
        server: { host: '127.0.0.1', port: ircPort, tls: false },
        nick: 'gwbot',
        flood: { enabled: false },
        startTimeoutMs: 5000,
        channels: [
          { name: CHANNELS.hub, room: 'im:bench@gw.test' },
          ...(web ? [{ name: CHANNELS.web, room: 'im:benchweb@gw.test' }] : []),
        ],
      },
      ...(web
        ? [
            {
              type: 'websocket',
              domain: 'web.test',
              http: { host: '127.0.0.1', port: 0, page: false, metrics: false },
              auth: { tokens: [{ user: 'web', token: WEB_TOKEN }] },
              // The client acknowledges every message: far more frames than a person sends.
              limits: { framesPerSecond: 1_000_000, frameBurst: 1_000_000 },
              rooms: [{ name: 'web', address: 'im:benchweb@gw.test' }],
            },
          ]
        : []),
    ],
  };
}

/** A signed-in web chat client joined to room `room`. */
export async function webClient(
  host: string,
  port: number,
  token: string,
  room?: string,
): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${host}:${port}/ws`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (pred: (f: { type: string; id?: string; status?: string }) => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer from the web chat adapter')), 10_000);
      const on = (data: Buffer): void => {
        const f = JSON.parse(data.toString('utf8')) as { type: string; id?: string; status?: string };
        if (f.type === 'error') {
          clearTimeout(t);
          ws.off('message', on);
          reject(new Error(`web chat error: ${data.toString('utf8')}`));
        } else if (pred(f)) {
          clearTimeout(t);
          ws.off('message', on);
          resolve();
        }
      };
      ws.on('message', on);
    });
  const welcome = next((f) => f.type === 'welcome');
  ws.send(JSON.stringify({ type: 'auth', v: 1, token }));
  await welcome;
  if (room !== undefined) {
    const joined = next((f) => f.type === 'result' && f.id === 'j1');
    ws.send(JSON.stringify({ type: 'join', id: 'j1', room }));
    await joined;
  }
  return ws;
}

/** The IRC side shared by irc.ts and peer.ts: ngircd, the writing client, the baseline reader. */
export interface IrcSide {
  readonly server: NgircdProcess;
  readonly writer: RawIrc;
  readonly reader: RawIrc;
  /** Lines for a channel, sequence numbers 0 … linesNeeded(plan) − 1. */
  source(channel: string): ReturnType<typeof socketSource>;
  close(): Promise<void>;
}

export async function startIrcSide(plan: IrcPlan, extraPorts: readonly number[] = []): Promise<IrcSide> {
  const server = await startNgircd(extraPorts);
  const clients: RawIrc[] = [];
  try {
    const writer = await RawIrc.connect(server.port, 'loadA');
    clients.push(writer);
    const reader = await RawIrc.connect(server.port, 'loadB');
    clients.push(reader);
    await writer.join(CHANNELS.base);
    await reader.join(CHANNELS.base);
    const n = linesNeeded(plan);
    return {
      server,
      writer,
      reader,
      source: (channel) => socketSource(writer.socket, privmsgLines(channel, n)),
      async close() {
        await Promise.all(clients.map((c) => c.quit()));
        await server.stop();
      },
    };
  } catch (e) {
    await Promise.all(clients.map((c) => c.quit()));
    await server.stop();
    throw e;
  }
}

/** The baseline: writer → ngircd → reader on #base. */
export async function measureBaseline(side: IrcSide, plan: IrcPlan): Promise<PathFigures> {
  side.reader.hot();
  return measurePath(side.source(CHANNELS.base), side.reader.sink, plan, {
    ngircd: () => procCpuMicros(side.server.pid),
  });
}

/** The gateway's IRC path to a hub listener, on a gateway already started against side.server. */
export async function measureGatewayHub(
  side: IrcSide,
  gw: GatewayProcess,
  plan: IrcPlan,
): Promise<PathFigures> {
  await side.writer.join(CHANNELS.hub);
  await side.writer.waitMember(CHANNELS.hub, 'gwbot');
  return measureToHubListener(gw, side.source(CHANNELS.hub), plan, {
    gateway: () => gw.cpu(),
    ngircd: () => procCpuMicros(side.server.pid),
  });
}

/**
 * BENCH_TRACE_GC=1: the gateway's GC pauses during the paced run of the hub path, its last phase
 * (the window: that run's lines at its achieved rate, from the child's clock when asked after it).
 */
function pacedGc(g: GcPauses, hub: PathFigures): string {
  const p = hub.paced[hub.paced.length - 1];
  if (p === undefined) return 'irc: no paced run';
  const from = g.now - (p.latency.count / p.achieved) * 1000 - 200;
  const d = g.entries.filter((e) => e.start >= from).map((e) => e.duration);
  const minor = g.entries.filter((e) => e.start >= from && e.kind === 1).length;
  const sum = d.reduce((a, b) => a + b, 0);
  return `irc: gateway GC during the paced hub run: ${d.length} pauses (${minor} minor), total ${sum.toFixed(1)} ms, max ${Math.max(0, ...d).toFixed(2)} ms, each ${d.map((x) => x.toFixed(2)).join(' ')}`;
}

export const irc: Benchmark = {
  name: 'irc',
  description: 'IRC path through ngircd: IRC client → gateway → hub listener / WebSocket client',
  async run(ctx: BenchContext): Promise<Entry[]> {
    if (!ngircdInstalled())
      return [
        entry('IRC path', [], null, {
          notes: 'skipped: ngircd not installed (apt-get install ngircd)',
        }),
      ];
    const plan = ircPlan(ctx.quick);
    ctx.progress('irc: ngircd, baseline (IRC client → ngircd → IRC client)');
    const side = await startIrcSide(plan);
    try {
      await side.writer.join(CHANNELS.web);
      side.writer.hot();
      // The writer reads nothing in hot mode but PINGs; its channels echo nothing to it.
      const baseline = await measureBaseline(side, plan);

      ctx.progress('irc: gateway (IRC adapter → room → hub listener, and → WebSocket client)');
      const gw = await startGatewayProcess(ircGatewayConfig(side.server.port, true), { adapters: true });
      try {
        const hub = await measureGatewayHub(side, gw, plan);
        if (process.env.BENCH_TRACE_GC === '1') ctx.progress(pacedGc(await gw.gc(), hub));
        await side.writer.waitMember(CHANNELS.web, 'gwbot');
        const webAt = gw.adapters.find((a) => a.type === 'websocket')?.address;
        if (!webAt) throw new Error('the web chat adapter reported no address');
        const ws = await webClient(webAt.host, webAt.port, WEB_TOKEN, 'web');
        let web: PathFigures;
        try {
          web = await measurePath(side.source(CHANNELS.web), webSink(ws), plan, {
            gateway: () => gw.cpu(),
            ngircd: () => procCpuMicros(side.server.pid),
          });
        } finally {
          ws.terminate();
        }
        const baseName = 'IRC client → ngircd → IRC client, same run';
        return [
          ...pathEntries('IRC → gateway → hub listener', hub, baseName, baseline, plan, {
            throughput: '≥ 40k lines/s, gateway CPU ≤ 20 µs/line (issue 18)',
            latency: 'p99 ≤ 2 × the baseline p99 (issue 18)',
          }),
          ...pathEntries('IRC → gateway → WebSocket client', web, baseName, baseline, plan),
        ];
      } finally {
        await gw.stop();
      }
    } finally {
      await side.close();
    }
  },
};
