/**
 * Debian's ngircd on free loopback ports, for the IRC tests and the IRC benchmarks alike: the
 * one configuration (ngircd-config.ts), an optional [SSL] section with a test certificate, a
 * temp dir, and a stop or kill by PID. A killed server can be restarted on the same ports, for
 * the reconnect tests.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stoppable } from './child.js';
import { freePort, untilListening } from './net.js';
import { writeNgircdConfig } from './ngircd-config.js';

export const NGIRCD = '/usr/sbin/ngircd';

export function ngircdInstalled(): boolean {
  return existsSync(NGIRCD);
}

/** A server certificate and key (PEM files) for ngircd's [SSL] section, with its TLS port. */
export interface NgircdTls {
  readonly certPath: string;
  readonly keyPath: string;
  readonly port?: number;
}

export interface NgircdOptions {
  /** The plain port; a free one when not given. */
  readonly port?: number;
  /** More plain ports to listen on (the benchmarks' fixed peer ports). */
  readonly extraPorts?: readonly number[];
  readonly tls?: NgircdTls;
  readonly info?: string;
  /** ISUPPORT NICKLEN (ngircd-config.ts). */
  readonly nickLength?: number;
  /** Reused by restart(); a new temp dir when not given. */
  readonly dir?: string;
}

export interface Ngircd {
  readonly port: number;
  readonly ports: readonly number[];
  /** The implicit-TLS port, when started with `tls`. */
  readonly tlsPort?: number;
  readonly pid: number;
  alive(): boolean;
  /** SIGKILL, then wait for the process to exit (the temp dir stays, for restart). */
  kill(): Promise<void>;
  /** Starts a fresh server on the same ports (after kill). */
  restart(): Promise<Ngircd>;
  /** SIGTERM (SIGKILL after a second), then removes the temp dir. */
  stop(): Promise<void>;
}

export async function startNgircd(o: NgircdOptions = {}): Promise<Ngircd> {
  const port = o.port ?? (await freePort());
  const ports = [port, ...(o.extraPorts ?? [])];
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'ngircd-')));
  // As root ngircd drops to `nobody`, which must be able to write its PID file here.
  await chmod(dir, 0o777);
  const tlsPort = o.tls === undefined ? undefined : (o.tls.port ?? (await freePort()));
  const ssl: string[] = [];
  if (o.tls !== undefined) {
    // Copies readable by `nobody` (the originals sit in a 0700 temp dir); test keys only.
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    await copyFile(o.tls.certPath, cert);
    await copyFile(o.tls.keyPath, key);
    await Promise.all([chmod(cert, 0o644), chmod(key, 0o644)]);
    ssl.push('[SSL]', `CertFile = ${cert}`, `KeyFile = ${key}`, `Ports = ${tlsPort}`);
  }
  const info = o.info ?? 'CPIM gateway test network';
  const conf = await writeNgircdConfig({
    dir,
    ports,
    info,
    extra: ssl,
    ...(o.nickLength === undefined ? {} : { nickLength: o.nickLength }),
  });
  const child = stoppable(spawn(NGIRCD, ['-n', '-f', conf], { stdio: 'ignore' }));
  const stop = async () => {
    await child.stop('SIGTERM', 1000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilListening(tlsPort === undefined ? ports : [...ports, tlsPort], 'ngircd', () => !child.alive());
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    ports,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    pid: child.pid,
    alive: child.alive,
    kill: () => child.stop('SIGKILL'),
    restart: () =>
      startNgircd({ ...o, port, dir, ...(o.tls === undefined ? {} : { tls: { ...o.tls, port: tlsPort! } }) }),
    stop,
  };
}
