/**
 * Debian's ngircd for the IRC benchmarks: a generated configuration in a temp dir (env-notes.md:
 * penalties and per-IP limits off, no DNS/ident/PAM lookups), on a free loopback port plus any
 * extra fixed ports asked for, stopped by PID. Same configuration as the tests (test/support/ngircd-config.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNgircdConfig } from '../../test/support/ngircd-config.js';

export const NGIRCD = '/usr/sbin/ngircd';

export function ngircdInstalled(): boolean {
  return existsSync(NGIRCD);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface NgircdProcess {
  readonly port: number;
  readonly ports: readonly number[];
  readonly pid: number;
  /** SIGTERM by PID (SIGKILL after a second), then removes the temp dir. */
  stop(): Promise<void>;
}

export async function startNgircd(extraPorts: readonly number[] = []): Promise<NgircdProcess> {
  const port = await freePort();
  const ports = [port, ...extraPorts];
  const dir = await mkdtemp(join(tmpdir(), 'bench-ngircd-'));
  // As root ngircd drops to `nobody`, which must be able to write its PID file here.
  await chmod(dir, 0o777);
  const conf = await writeNgircdConfig({ dir, ports, info: 'CPIM gateway benchmark network' });
  const child: ChildProcess = spawn(NGIRCD, ['-n', '-f', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      const t = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      }, 1000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 5000;
  for (const p of ports)
    while (!(await canConnect(p))) {
      if (Date.now() > until || child.exitCode !== null) {
        await stop();
        throw new Error(`ngircd did not listen on port ${p}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  return { port, ports, pid: child.pid!, stop };
}
