/**
 * A peer gateway on the same IRC traffic: Debian's biboumi (an XMPP to IRC gateway) as an
 * external component of Debian's prosody, both unprivileged on loopback with generated configs
 * in a temp dir, biboumi pointed at the same ngircd as the gateway. The IRC client's lines go
 * through biboumi and prosody to a minimal XMPP client (bench/lib/xmpp.ts) in the channel's MUC,
 * once with biboumi's per-user history recording on (as shipped: every channel line is written
 * to its SQLite database) and once with it off (ad-hoc command `configure`, record_history =
 * false). In the same run: the gateway's IRC path (IRC → gateway → hub listener) with the same
 * plan, reported against biboumi (ratio = gateway ÷ biboumi).
 *
 * biboumi's own throttle (`Throttle limit`, 10 lines then one per second) applies to lines it
 * sends to IRC, not to lines it reads, so the IRC → XMPP direction measured here never meets it.
 * biboumi has no port in its room JIDs: it tries TLS on 6697 and 6670, then plain 6667 (its
 * defaults, changeable only per user by ad-hoc command), so ngircd listens on 6667 as well.
 * Without biboumi or prosody installed the benchmark reports itself skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ircGatewayConfig, measureBaseline, measureGatewayHub, startIrcSide, type IrcSide } from './irc.js';
import { measurePath, pathEntries, procCpuMicros, type IrcPlan, type PathFigures } from './lib/irc-path.js';
import { canConnect, freePort, ngircdInstalled } from './lib/ngircd.js';
import { stoppable } from '../test/support/child.js';
import { startGatewayProcess } from './lib/procs.js';
import { entry, type BenchContext, type Benchmark, type Entry } from './lib/report.js';
import { XmppClient } from './lib/xmpp.js';

const BIBOUMI = '/usr/bin/biboumi';
const PROSODY = '/usr/bin/prosody';
const COMPONENT = 'biboumi.localhost';
const SECRET = 'bench-component-secret';
const IRC_PLAIN_PORT = 6667;
const BIBOUMI_TLS_PORTS = [6697, 6670];
/** The peer's channels: history on (as shipped), history off. */
const PEER = { on: '#peer', off: '#peeroff' } as const;

export function peerPlan(quick: boolean): IrcPlan {
  // biboumi as shipped does about 1k lines/s (docs/architecture.md part 11): bounded counts keep this short.
  return quick
    ? { warmup: 300, lines: 1000, rounds: 1, window: 200, paced: [{ rate: 1000, lines: 500 }] }
    : { warmup: 1000, lines: 6000, rounds: 2, window: 200, paced: [{ rate: 1000, lines: 3000 }] };
}

function skipped(why: string): Entry[] {
  return [entry('biboumi + prosody (XMPP gateway) on the IRC path', [], null, { notes: `skipped: ${why}` })];
}

function userIds(name: string): { uid: number; gid: number } | null {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (line === undefined) return null;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

interface Daemon {
  readonly pid: number;
  readonly name: string;
  stop(): Promise<void>;
}

function daemon(name: string, cmd: string, args: string[], cwd: string, user: string): Daemon {
  const ids = process.getuid?.() === 0 ? userIds(user) : null;
  const child: ChildProcess = spawn(cmd, args, {
    cwd,
    stdio: 'ignore',
    ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
  });
  child.on('error', () => undefined);
  const proc = stoppable(child);
  return { pid: proc.pid, name, stop: () => proc.stop('SIGTERM', 2000) };
}

async function waitPort(port: number, what: string, log: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await canConnect(port))) {
    if (Date.now() > until) throw new Error(`${what} did not listen on ${port}: ${await tail(log)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-8).join(' | ');
  } catch {
    return `(no ${file})`;
  }
}

interface Peer {
  readonly c2sPort: number;
  readonly dir: string;
  readonly prosody: Daemon;
  readonly biboumi: Daemon;
  stop(): Promise<void>;
}

async function startPeer(): Promise<Peer> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-peer-'));
  await chmod(dir, 0o777);
  const [c2sPort, componentPort] = [await freePort(), await freePort()];
  const prosodyLog = join(dir, 'prosody.log');
  const prosodyConf = join(dir, 'prosody.cfg.lua');
  await writeFile(
    prosodyConf,
    [
      `pidfile = "${join(dir, 'prosody.pid')}"`,
      `data_path = "${dir}"`,
      'modules_enabled = { "disco"; "saslauth"; }',
      'modules_disabled = { "s2s"; "offline"; }',
      `c2s_ports = { ${c2sPort} }`,
      'c2s_interfaces = { "127.0.0.1" }',
      `component_ports = { ${componentPort} }`,
      'component_interfaces = { "127.0.0.1" }',
      'http_ports = { }',
      'https_ports = { }',
      'c2s_direct_tls_ports = { }',
      'legacy_ssl_ports = { }',
      'c2s_require_encryption = false',
      `log = { { levels = { min = "warn" }, to = "file", filename = "${prosodyLog}" } }`,
      'VirtualHost "localhost"',
      '  authentication = "anonymous"',
      `Component "${COMPONENT}"`,
      `  component_secret = "${SECRET}"`,
      '',
    ].join('\n'),
  );
  const biboumiLog = join(dir, 'biboumi.log');
  const biboumiConf = join(dir, 'biboumi.cfg');
  await writeFile(
    biboumiConf,
    [
      `hostname=${COMPONENT}`,
      `password=${SECRET}`,
      'xmpp_server_ip=127.0.0.1',
      `port=${componentPort}`,
      `db_name=${join(dir, 'biboumi.sqlite')}`,
      'identd_port=0',
      'log_level=2',
      `log_file=${biboumiLog}`,
      `policy_directory=${dir}`,
      '',
    ].join('\n'),
  );
  const prosody = daemon('prosody', PROSODY, ['--config', prosodyConf, '-F'], dir, 'prosody');
  const stops: Daemon[] = [prosody];
  const stop = async (): Promise<void> => {
    for (const d of stops.reverse()) await d.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitPort(c2sPort, 'prosody', prosodyLog);
    await waitPort(componentPort, 'prosody (component port)', prosodyLog);
    const biboumi = daemon('biboumi', BIBOUMI, [biboumiConf], dir, 'nobody');
    stops.push(biboumi);
    // biboumi is ready once prosody routes to the component: a disco#info answer.
    const probe = await XmppClient.connect(c2sPort, 'localhost');
    try {
      const until = Date.now() + 10_000;
      while (!(await probe.discoInfo(COMPONENT))) {
        if (Date.now() > until)
          throw new Error(`biboumi did not answer disco#info; log: ${await tail(biboumiLog)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await probe.close();
    }
    return { c2sPort, dir, prosody, biboumi, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The IRC client's lines on `channel` through biboumi and prosody to an XMPP client. */
async function measureBiboumi(
  side: IrcSide,
  peer: Peer,
  channel: string,
  nick: string,
  history: boolean,
  plan: IrcPlan,
): Promise<PathFigures> {
  const client = await XmppClient.connect(peer.c2sPort, 'localhost');
  try {
    if (!history) await client.adhoc(COMPONENT, 'configure', { record_history: 'false' });
    await side.writer.join(channel);
    await client.joinMuc(`${channel}%127.0.0.1@${COMPONENT}`, nick);
    await side.writer.waitMember(channel, nick);
    client.hot();
    return await measurePath(side.source(channel), client.sink, plan, {
      biboumi: () => procCpuMicros(peer.biboumi.pid),
      prosody: () => procCpuMicros(peer.prosody.pid),
      ngircd: () => procCpuMicros(side.server.pid),
    });
  } finally {
    await client.close();
  }
}

export const peer: Benchmark = {
  name: 'peer',
  description: 'the same IRC traffic through biboumi + prosody (XMPP) vs the gateway',
  async run(ctx: BenchContext): Promise<Entry[]> {
    if (!existsSync(BIBOUMI) || !existsSync(PROSODY))
      return skipped('biboumi/prosody not installed (apt-get install biboumi prosody)');
    if (!ngircdInstalled()) return skipped('ngircd not installed (apt-get install ngircd)');
    if (await canConnect(IRC_PLAIN_PORT))
      return skipped(
        `port ${IRC_PLAIN_PORT} is taken (biboumi reaches IRC servers only on its default ports)`,
      );
    for (const p of BIBOUMI_TLS_PORTS)
      if (await canConnect(p))
        return skipped(
          `something listens on ${p}, where biboumi would try TLS before plain ${IRC_PLAIN_PORT}`,
        );
    const plan = peerPlan(ctx.quick);
    ctx.progress('peer: ngircd, prosody, biboumi');
    const side = await startIrcSide(plan, [IRC_PLAIN_PORT]);
    try {
      side.writer.hot();
      const baseline = await measureBaseline(side, plan);
      const peerProcs = await startPeer();
      let shipped: PathFigures;
      let noHistory: PathFigures;
      try {
        ctx.progress('peer: biboumi as shipped (history recorded)');
        shipped = await measureBiboumi(side, peerProcs, PEER.on, 'xmppOn', true, plan);
        ctx.progress('peer: biboumi with history off');
        noHistory = await measureBiboumi(side, peerProcs, PEER.off, 'xmppOff', false, plan);
      } finally {
        await peerProcs.stop();
      }
      ctx.progress('peer: the gateway on the same ngircd, same plan');
      const gw = await startGatewayProcess(ircGatewayConfig(side.server.port, false), { adapters: true });
      let gateway: PathFigures;
      try {
        gateway = await measureGatewayHub(side, gw, plan);
      } finally {
        await gw.stop();
      }
      const baseName = 'IRC client → ngircd → IRC client, same run';
      return [
        ...pathEntries(
          'IRC → biboumi + prosody → XMPP client, history on (as shipped)',
          shipped,
          baseName,
          baseline,
          plan,
        ),
        ...pathEntries(
          'IRC → biboumi + prosody → XMPP client, history off',
          noHistory,
          baseName,
          baseline,
          plan,
        ),
        ...pathEntries(
          'IRC → gateway → hub listener (same plan)',
          gateway,
          'biboumi + prosody, history on (as shipped), same run',
          shipped,
          plan,
        ),
        ...pathEntries(
          'IRC → gateway → hub listener (same plan)',
          gateway,
          'biboumi + prosody, history off, same run',
          noHistory,
          plan,
        ),
      ];
    } finally {
      await side.close();
    }
  },
};
