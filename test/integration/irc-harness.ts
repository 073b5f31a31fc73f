/**
 * A real IRC server for the IRC adapter's integration tests: Debian's ngircd on a free loopback
 * port with a generated configuration in a temp dir (env-notes.md: penalties and per-IP limits
 * off, no DNS/ident/PAM lookups), killed by PID; and plain irc-framework clients as IRC users.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type IrcMessageEvent } from 'irc-framework';
import { writeNgircdConfig } from '../support/ngircd-config.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Ngircd {
  readonly port: number;
  /** The implicit-TLS port, when started with `tls`. */
  readonly tlsPort?: number;
  readonly pid: number;
  /** SIGKILL, then wait for the process to exit. */
  kill(): Promise<void>;
  /** Starts a fresh server on the same port (after kill). */
  restart(): Promise<Ngircd>;
  cleanup(): Promise<void>;
}

/** A server certificate and key (PEM files) for ngircd's [SSL] section, with its TLS port. */
export interface NgircdTls {
  readonly certPath: string;
  readonly keyPath: string;
  readonly port?: number;
}

export async function startNgircd(port?: number, dir?: string, tls?: NgircdTls): Promise<Ngircd> {
  const p = port ?? (await freePort());
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'ngircd-')));
  // As root ngircd drops to `nobody`, which must be able to write its PID file here.
  await chmod(d, 0o777);
  const tlsPort = tls === undefined ? undefined : (tls.port ?? (await freePort()));
  const ssl: string[] = [];
  if (tls !== undefined) {
    // Copies readable by `nobody` (the originals sit in a 0700 temp dir); test keys only.
    const cert = join(d, 'server.crt');
    const key = join(d, 'server.key');
    await copyFile(tls.certPath, cert);
    await copyFile(tls.keyPath, key);
    await Promise.all([chmod(cert, 0o644), chmod(key, 0o644)]);
    ssl.push('[SSL]', `CertFile = ${cert}`, `KeyFile = ${key}`, `Ports = ${tlsPort}`);
  }
  const conf = await writeNgircdConfig({ dir: d, ports: [p], info: 'CPIM gateway test network', extra: ssl });
  const child: ChildProcess = spawn('/usr/sbin/ngircd', ['-n', '-f', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const until = Date.now() + 5000;
  while (!(await canConnect(p)) || (tlsPort !== undefined && !(await canConnect(tlsPort)))) {
    if (Date.now() > until) throw new Error('ngircd did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const self: Ngircd = {
    port: p,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    pid: child.pid!,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      await exited;
    },
    restart: () => startNgircd(p, d, tls === undefined ? undefined : { ...tls, port: tlsPort! }),
    async cleanup() {
      await self.kill();
      await rm(d, { recursive: true, force: true });
    },
  };
  return self;
}

export interface IrcUser {
  readonly client: Client;
  readonly nick: string;
  /** Lines received: PRIVMSG, NOTICE and ACTION, in order. */
  readonly lines: (IrcMessageEvent & { kind: string })[];
  join(channel: string): Promise<void>;
  quit(): Promise<void>;
}

/** A plain IRC user: an irc-framework client, registered. */
export async function ircUser(port: number, nick: string): Promise<IrcUser> {
  const client = new Client();
  const lines: (IrcMessageEvent & { kind: string })[] = [];
  for (const kind of ['privmsg', 'notice', 'action'])
    client.on(kind, (e: IrcMessageEvent) => {
      if (e.nick) lines.push({ ...e, kind });
    });
  const registered = new Promise<void>((resolve, reject) => {
    client.once('registered', () => resolve());
    client.once('close', () => reject(new Error('irc user connection closed')));
  });
  client.connect({
    host: '127.0.0.1',
    port,
    nick,
    username: nick,
    gecos: nick,
    auto_reconnect: false,
    version: null,
  });
  await registered;
  return {
    client,
    nick,
    lines,
    async join(channel) {
      const joined = new Promise<void>((r) => {
        client.on('join', (e: { nick: string; channel: string }) => {
          if (e.nick === client.user.nick && e.channel.toLowerCase() === channel.toLowerCase()) r();
        });
      });
      client.join(channel);
      await joined;
    },
    async quit() {
      if (!client.connection.connected) return;
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      client.quit('bye');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 500))]);
    },
  };
}

/** The adapter's entry in the gateway config, for the test network. */
export function ircAdapterConfig(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'irc',
    id: 'irc-test',
    domain: 'irc.test',
    server: { host: '127.0.0.1', port, tls: false },
    nick: 'gwbot',
    // Paced, but fast: ngircd has penalties off (env-notes.md).
    flood: { enabled: true, burst: 200, linesPerSecond: 20000 },
    reconnect: { minDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 },
    startTimeoutMs: 5000,
    presence: { debounceMs: 0, pollMs: 200 },
    ...extra,
  };
}
