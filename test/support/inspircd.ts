/**
 * Debian's InspIRCd 3 on a free loopback port: the one IRCv3 server Debian 12 packages
 * (docs/message-semantics.md): message-tags, msgid, echo-message, server-time,
 * labeled-response, batch and client-only tags (TAGMSG). Started ONCE per test file, in a temp
 * dir, as the `irc` user when we are root (InspIRCd refuses to run as root), stopped by PID.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stoppable } from './child.js';
import { freePort, untilListening } from './net.js';

export const INSPIRCD = '/usr/sbin/inspircd';

export function inspircdInstalled(): boolean {
  return existsSync(INSPIRCD);
}

export interface Inspircd {
  readonly port: number;
  /** The process we started (runuser when root, else inspircd itself). */
  readonly pid: number;
  readonly dir: string;
  alive(): boolean;
  /** SIGTERM by PID (SIGKILL after a second), then removes the temp dir. */
  stop(): Promise<void>;
}

/**
 * §4's configuration: no DNS, no ident, no fake lag (tests send bursts; the gateway still paces
 * itself), and the IRCv3 modules.
 */
export function inspircdConfig(dir: string, port: number, without: readonly string[] = []): string {
  const modules = [
    'cap',
    'ircv3',
    'ircv3_accounttag',
    'ircv3_batch',
    'ircv3_capnotify',
    'ircv3_ctctags',
    'ircv3_echomessage',
    'ircv3_labeledresponse',
    'ircv3_msgid',
    'ircv3_servertime',
    'namesx',
    'uhnames',
  ];
  return [
    '<server name="irc.test" description="IRCv3 test server" network="TestNet">',
    '<admin name="test" nick="test" email="test@localhost">',
    `<bind address="127.0.0.1" port="${port}" type="clients">`,
    '<connect name="main" allow="*" timeout="30" pingfreq="120" hardsendq="1048576" softsendq="65536"',
    '         recvq="65536" threshold="1000" commandrate="100000" fakelag="no" localmax="100"',
    '         globalmax="100" resolvehostnames="no" useident="no">',
    '<dns server="127.0.0.1" timeout="1">',
    '<options prefixquit="Quit: ">',
    '<security runasuser="" runasgroup="">',
    `<pid file="${join(dir, 'inspircd.pid')}">`,
    `<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${join(dir, 'inspircd.log')}">`,
    ...modules.filter((m) => !without.includes(m)).map((m) => `<module name="${m}">`),
    '',
  ].join('\n');
}

async function ircIds(): Promise<{ uid: number; gid: number }> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith('irc:'));
  const f = line?.split(':');
  if (!f) throw new Error('no `irc` user in /etc/passwd (the inspircd package creates it)');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

export interface InspircdOptions {
  /** Modules of the configuration left out (a server without labeled-response, say). */
  readonly without?: readonly string[];
}

export async function startInspircd(o: InspircdOptions = {}): Promise<Inspircd> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'inspircd-'));
  const conf = join(dir, 'inspircd.conf');
  await writeFile(conf, inspircdConfig(dir, port, o.without));
  const root = userInfo().uid === 0;
  const args = ['--nofork', `--config=${conf}`];
  if (root) {
    const { uid, gid } = await ircIds();
    await Promise.all([chown(dir, uid, gid), chown(conf, uid, gid)]);
  }
  const child = stoppable(
    root
      ? spawn('runuser', ['-u', 'irc', '--', INSPIRCD, ...args], { stdio: 'ignore' })
      : spawn(INSPIRCD, args, { stdio: 'ignore' }),
  );
  const stop = async () => {
    // runuser forwards SIGTERM to inspircd; the PID file names inspircd itself, in case it lingers.
    await child.stop('SIGTERM', 1000);
    const pid = Number(await readFile(join(dir, 'inspircd.pid'), 'utf8').catch(() => ''));
    if (pid > 0)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilListening([port], 'inspircd', () => !child.alive(), 10_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, pid: child.pid, dir, alive: child.alive, stop };
}
