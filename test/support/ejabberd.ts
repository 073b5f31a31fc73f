/**
 * Debian's ejabberd (23.01) on free loopback ports, for the XMPP adapter's tests beside Prosody
 * (prosody.ts; same shape, so test/support/xmpp.ts serves both): a temp folder owned by the
 * `ejabberd` user (ejabberdctl runs the server as that user), a generated ejabberd.yml with a
 * c2s listener and an `ejabberd_service` listener for the component, a node name of its own, and
 * an epmd of its own on a free port (the Erlang port mapper that ejabberdctl's `register` needs;
 * started in the foreground here so that it can be stopped by its PID, never left as a daemon).
 * The server runs in the foreground in a process group of its own, stopped by that group's id.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stoppable, type StoppableChild } from './child.js';
import { freePorts, untilListening } from './net.js';

const run = promisify(execFile);

export const EJABBERDCTL = '/usr/sbin/ejabberdctl';
const EPMD = '/usr/bin/epmd';

export function ejabberdInstalled(): boolean {
  return existsSync(EJABBERDCTL) && existsSync(EPMD) && process.getuid?.() === 0;
}

export interface Ejabberd {
  readonly domain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  alive(): boolean;
  stop(): Promise<void>;
}

async function ejabberdIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'ejabberd']), run('id', ['-g', 'ejabberd'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function configText(o: {
  domain: string;
  componentDomain: string;
  secret: string;
  c2s: number;
  comp: number;
}) {
  return `hosts:
  - ${o.domain}
loglevel: warning
certfiles: []
listen:
  -
    port: ${o.c2s}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: false
  -
    port: ${o.comp}
    ip: "127.0.0.1"
    module: ejabberd_service
    access: all
    hosts:
      ${o.componentDomain}:
        password: "${o.secret}"
auth_method: internal
auth_password_format: scram
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
modules:
  mod_roster: {}
  mod_disco: {}
  mod_ping: {}
`;
}

export async function startEjabberd(
  options: { accounts?: Readonly<Record<string, string>> } = {},
): Promise<Ejabberd> {
  const domain = 'localhost';
  const componentDomain = 'xmpp-gw.localhost';
  const secret = 'test-secret';
  const { uid, gid } = await ejabberdIds();
  const dir = await mkdtemp(join(tmpdir(), 'ejabberd-'));
  await chmod(dir, 0o755);
  for (const d of ['spool', 'logs']) await mkdir(join(dir, d));
  const [c2sPort, componentPort, epmdPort] = (await freePorts(3)) as [number, number, number];
  const conf = join(dir, 'ejabberd.yml');
  await writeFile(conf, configText({ domain, componentDomain, secret, c2s: c2sPort, comp: componentPort }));
  await copyFile('/etc/ejabberd/inetrc', join(dir, 'inetrc'));
  for (const f of ['', 'spool', 'logs', 'ejabberd.yml', 'inetrc']) await chown(join(dir, f), uid, gid);
  const node = `ejtest${process.pid}x${epmdPort}@localhost`;
  const env = { ...process.env, ERL_EPMD_PORT: String(epmdPort), ERL_EPMD_ADDRESS: '127.0.0.1', HOME: dir };
  const ctl = [
    '--config-dir',
    dir,
    '--config',
    conf,
    '--logs',
    join(dir, 'logs'),
    '--spool',
    join(dir, 'spool'),
    '--node',
    node,
  ];

  const epmd = stoppable(
    spawn(EPMD, ['-port', String(epmdPort), '-address', '127.0.0.1'], { stdio: 'ignore', env }),
  );
  let server: StoppableChild | null = null;
  const stop = async (): Promise<void> => {
    // The server's process group (ejabberdctl's shell, erl, beam.smp), then epmd, by their ids.
    if (server?.alive()) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await server.stop('SIGTERM', 3000);
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // the group is gone with its leader
      }
    }
    await epmd.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilListening([epmdPort], 'epmd', () => !epmd.alive());
    const child = spawn(EJABBERDCTL, [...ctl, 'foreground'], {
      stdio: 'ignore',
      env,
      uid,
      gid,
      cwd: dir,
      detached: true,
    });
    server = stoppable(child);
    const s = server;
    await untilListening([c2sPort, componentPort], 'ejabberd', () => !s.alive(), 30_000);
    for (const [user, password] of Object.entries(options.accounts ?? {}))
      await run(EJABBERDCTL, [...ctl, 'register', user, domain, password], {
        env,
        uid,
        gid,
        cwd: dir,
        timeout: 20_000,
      });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    domain,
    componentDomain,
    componentSecret: secret,
    c2sPort,
    componentPort,
    alive: () => server?.alive() ?? false,
    stop,
  };
}
