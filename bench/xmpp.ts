/**
 * The XMPP path (issue 16, Benchmark): an XMPP user (juliet, @xmpp/client 0.14, signed in by
 * SCRAM) on Debian's Prosody writes chat messages to a hub user's puppet JID
 * (`bob\40gw.test@xmpp-gw.localhost`, XEP-0106); Prosody routes them to the gateway's XMPP adapter
 * (an XEP-0114 component), which hands them to the hub listener bob (IMTP `listen`). Pipelined
 * (throughput, a window of undelivered messages) and paced at 1,000 msg/s (latency from a
 * message's scheduled send time to its receipt). Baseline in the same run: the same client's
 * messages to a second XMPP user (romeo, a raw counting client, bench/lib/xmpp.ts) on the same
 * Prosody, i.e. Prosody client-to-client. biboumi's figures on the IRC path come from
 * bench/peer.ts (`--only peer`).
 *
 * The stanzas are built once with @xmpp/client's element builder (which escapes) and written
 * pre-encoded on the client's authenticated stream, so the load generator outruns what it
 * measures. The adapter's per-sender rate limit is raised out of the way (its check stays on
 * the path). Prosody and the gateway run in their own processes, stopped by PID.
 */
import { client as xmppClient, xml, type Client } from '@xmpp/client';
import { lineText, type LineSource } from './lib/irc-load.js';
import {
  linesNeeded,
  measurePath,
  measureToHubListener,
  pathEntries,
  procCpuMicros,
  type IrcPlan,
  type PathFigures,
} from './lib/irc-path.js';
import { gatewayConfig } from './lib/configs.js';
import { startGatewayProcess, type GatewayProcess } from './lib/procs.js';
import { prosodyInstalled, startProsody, type ProsodyProcess } from './lib/prosody.js';
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';
import { XmppClient } from './lib/xmpp.js';

const SECRET = 'bench-xmpp-component-secret';
/** The hub listener bob as XMPP users see him (XEP-0106 §4.2: `@` escaped as `\40`). */
const PUPPET_BOB = 'bob\\40gw.test@xmpp-gw.localhost';

export function xmppPlan(quick: boolean): IrcPlan {
  return quick
    ? { warmup: 500, lines: 3000, rounds: 1, window: 200, paced: [{ rate: 1000, lines: 1000 }] }
    : { warmup: 2000, lines: 15_000, rounds: 2, window: 200, paced: [{ rate: 1000, lines: 5000 }] };
}

/** The gateway (gw.test, hub listener bob) with the XMPP adapter as Prosody's component. */
function xmppGatewayConfig(p: ProsodyProcess): Record<string, unknown> {
  return {
    ...gatewayConfig('gw.test'),
    adapters: [
      {
        type: 'xmpp',
        id: 'xmpp-bench',
        componentDomain: p.componentDomain,
        userDomains: [p.domain],
        server: { host: '127.0.0.1', port: p.componentPort, secret: SECRET },
        startTimeoutMs: 10_000,
        // The sender writes far faster than a person: the per-JID limiter checks but never refuses.
        limits: { perJid: { ratePerSecond: 1e9, burst: 1e9 } },
      },
    ],
  };
}

/** Pre-encoded chat messages from the client to `to`, all the same length (fixed-width numbers). */
function messageSource(c: Client, to: string, count: number): LineSource {
  const one = (i: number): string =>
    xml(
      'message',
      { to, type: 'chat', id: `b${String(i).padStart(8, '0')}` },
      xml('body', {}, lineText(i)),
    ).toString();
  const size = Buffer.byteLength(one(0));
  const buf = Buffer.allocUnsafe(size * count);
  for (let i = 0; i < count; i++) {
    const n = buf.write(one(i), i * size, 'utf8');
    if (n !== size) throw new Error(`message ${i} is ${n} octets, not ${size}`);
  }
  const socket = c.socket;
  if (socket === null) throw new Error('the XMPP client has no socket');
  return { write: (from, to) => socket.write(buf.subarray(from * size, to * size)) };
}

async function signIn(p: ProsodyProcess, user: string): Promise<Client> {
  const c = xmppClient({
    service: `xmpp://127.0.0.1:${p.c2sPort}`,
    domain: p.domain,
    username: user,
    password: `${user}pass`,
    resource: 'bench',
  });
  c.reconnect.stop();
  c.on('error', () => undefined);
  await c.start();
  await c.send(xml('presence'));
  return c;
}

/** Figures in messages rather than lines (the shared path code counts lines). */
function asMessages(entries: Entry[]): Entry[] {
  const unit = (f: Figure): Figure => ({
    ...f,
    unit: f.unit.replace('lines/s', 'msg/s').replace('/line', '/msg'),
  });
  return entries.map((e) => ({
    ...e,
    name: e.name.replace('lines/s', 'msg/s').replace(' lines)', ' messages)'),
    figures: e.figures.map(unit),
    baseline: e.baseline === null ? null : { ...e.baseline, figures: e.baseline.figures.map(unit) },
    ...(e.notes === undefined ? {} : { notes: e.notes.replaceAll('lines', 'messages') }),
  }));
}

async function measureBaseline(p: ProsodyProcess, sender: Client, plan: IrcPlan): Promise<PathFigures> {
  const romeo = await XmppClient.connect(p.c2sPort, p.domain, { user: 'romeo', password: 'romeopass' });
  try {
    romeo.hot();
    return await measurePath(messageSource(sender, romeo.jid, linesNeeded(plan)), romeo.sink, plan, {
      prosody: () => procCpuMicros(p.pid),
    });
  } finally {
    await romeo.close();
  }
}

async function measureGateway(
  p: ProsodyProcess,
  gw: GatewayProcess,
  sender: Client,
  plan: IrcPlan,
): Promise<PathFigures> {
  return measureToHubListener(gw, messageSource(sender, PUPPET_BOB, linesNeeded(plan)), plan, {
    gateway: () => gw.cpu(),
    prosody: () => procCpuMicros(p.pid),
  });
}

export const xmpp: Benchmark = {
  name: 'xmpp',
  description: 'XMPP path: @xmpp/client → Prosody → gateway (XMPP component) → hub listener',
  async run(ctx: BenchContext): Promise<Entry[]> {
    if (!prosodyInstalled())
      return [
        entry('XMPP path', [], null, { notes: 'skipped: prosody not installed (apt-get install prosody)' }),
      ];
    const plan = xmppPlan(ctx.quick);
    ctx.progress('xmpp: prosody, baseline (XMPP client → prosody → XMPP client)');
    const prosody = await startProsody(SECRET);
    try {
      const sender = await signIn(prosody, 'juliet');
      try {
        const baseline = await measureBaseline(prosody, sender, plan);
        ctx.progress('xmpp: gateway (XMPP client → prosody → XMPP adapter → hub listener)');
        const gw = await startGatewayProcess(xmppGatewayConfig(prosody), { adapters: true });
        let gateway: PathFigures;
        try {
          gateway = await measureGateway(prosody, gw, sender, plan);
        } finally {
          await gw.stop();
        }
        return asMessages(
          pathEntries(
            'XMPP client → prosody → gateway → hub listener',
            gateway,
            'XMPP client → prosody → XMPP client, same run',
            baseline,
            plan,
          ),
        );
      } finally {
        await sender.stop().catch(() => undefined);
      }
    } finally {
      await prosody.stop();
    }
  },
};
