/**
 * Debian's Prosody on free loopback ports, for the XMPP adapter's tests (docs/testing.md):
 * a temp folder with a generated config (one VirtualHost, one `Component` entry with its secret,
 * no TLS, no s2s), accounts registered with prosodyctl BEFORE the server starts (file storage is
 * shared with the running server), started in the foreground and stopped by its PID. The same
 * folder and ports serve restart(), for the reconnect tests.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stoppable, type StoppableChild } from './child.js';
import { freePorts, untilListening } from './net.js';

const run = promisify(execFile);

export const PROSODY = '/usr/bin/prosody';
export const PROSODYCTL = '/usr/bin/prosodyctl';

export function prosodyInstalled(): boolean {
  return existsSync(PROSODY) && existsSync(PROSODYCTL);
}

export interface ProsodyOptions {
  /** The users' domain (the VirtualHost). */
  readonly domain?: string;
  /** The component's domain (the `Component` entry). */
  readonly componentDomain?: string;
  readonly componentSecret?: string;
  /** user name → password, registered before the start. */
  readonly accounts?: Readonly<Record<string, string>>;
  /** Extra lines at the end of the global section (limits, modules). */
  readonly extra?: readonly string[];
}

export interface Prosody {
  readonly domain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  readonly pid: number;
  alive(): boolean;
  /** SIGTERM (SIGKILL after a grace period); the folder stays for start(). */
  kill(): Promise<void>;
  /** Starts the server again on the same ports with the same data (after kill()). */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The configuration file (Lua); every value here comes from the test, never from users. */
function configText(dir: string, o: Required<Omit<ProsodyOptions, 'accounts'>>, c2s: number, comp: number) {
  return [
    `pidfile = "${join(dir, 'prosody.pid')}"`,
    `data_path = "${join(dir, 'data')}"`,
    // An empty certificates folder: no TLS offered on the loopback test ports.
    `certificates = "${join(dir, 'certs')}"`,
    process.getuid?.() === 0 ? 'run_as_root = true' : '',
    'interfaces = { "127.0.0.1" }',
    `c2s_ports = { ${c2s} }`,
    'c2s_direct_tls_ports = {}',
    `component_ports = { ${comp} }`,
    'component_interfaces = { "127.0.0.1" }',
    's2s_ports = {}',
    'http_ports = {}',
    'https_ports = {}',
    'modules_enabled = { "roster", "saslauth", "disco", "ping" }',
    'modules_disabled = { "s2s", "offline", "tls" }',
    'c2s_require_encryption = false',
    'allow_unencrypted_plain_auth = true',
    'authentication = "internal_hashed"',
    'storage = "internal"',
    'log = { { levels = { min = "warn" }, to = "console" } }',
    ...o.extra,
    `VirtualHost "${o.domain}"`,
    `Component "${o.componentDomain}"`,
    `    component_secret = "${o.componentSecret}"`,
    '',
  ].join('\n');
}

export async function startProsody(options: ProsodyOptions = {}): Promise<Prosody> {
  const o = {
    domain: options.domain ?? 'localhost',
    componentDomain: options.componentDomain ?? 'xmpp-gw.localhost',
    componentSecret: options.componentSecret ?? 'test-secret',
    extra: options.extra ?? [],
  };
  const dir = await mkdtemp(join(tmpdir(), 'prosody-'));
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'certs'));
  const [c2sPort, componentPort] = (await freePorts(2)) as [number, number];
  const conf = join(dir, 'prosody.cfg.lua');
  await writeFile(conf, configText(dir, o, c2sPort, componentPort));
  for (const [user, password] of Object.entries(options.accounts ?? {}))
    await run(PROSODYCTL, ['--config', conf, 'register', user, o.domain, password], { timeout: 10_000 });

  let child: StoppableChild | null = null;
  const start = async (): Promise<void> => {
    const c = stoppable(spawn(PROSODY, ['-F', '--config', conf], { stdio: 'ignore' }));
    child = c;
    try {
      await untilListening([c2sPort, componentPort], 'prosody', () => !c.alive(), 10_000);
    } catch (e) {
      await c.stop('SIGKILL');
      throw e;
    }
  };
  await start().catch(async (e: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw e;
  });
  const kill = async (): Promise<void> => {
    await child?.stop('SIGTERM', 2000);
  };
  return {
    ...o,
    c2sPort,
    componentPort,
    get pid() {
      return child!.pid;
    },
    alive: () => child?.alive() ?? false,
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
