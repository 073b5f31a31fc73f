/**
 * Debian's PostgreSQL 15 for tests (issue 15: "the same store test suite runs against both,
 * PostgreSQL 15 from Debian started by the tests on loopback in a temporary data directory";
 * docs/testing.md).
 *
 * `usePostgres()` starts one server per test file (`beforeAll`): initdb into a temp folder, then
 * `postgres` on 127.0.0.1 and a free port, with fsync off (a test's data need not survive a power
 * cut) and its Unix socket in the temp folder, never in /run. initdb and postgres refuse to run as
 * root, so as root both run as the `postgres` user (child_process uid/gid), in a folder made with
 * that owner first. `database()` gives each test a fresh database (`create database tN`). The
 * server stops by PID after the file (SIGINT: fast shutdown; SIGKILL after a grace period).
 *
 * Where PostgreSQL is missing the file is skipped, except under CI (CI=true), where the fixture
 * fails loudly: scripts/install-test-deps.sh installs it there.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { stoppable, type StoppableChild } from './child.js';
import { freePort, sleep } from './net.js';

const DEBIAN_ROOT = '/usr/lib/postgresql';
const PREFERRED_MAJOR = '15';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** The folder of initdb and postgres: 15 first, else the newest installed; null if none. */
export function postgresBinDir(): string | null {
  const has = (major: string) => existsSync(join(DEBIAN_ROOT, major, 'bin', 'postgres'));
  if (has(PREFERRED_MAJOR)) return join(DEBIAN_ROOT, PREFERRED_MAJOR, 'bin');
  let majors: string[] = [];
  try {
    majors = readdirSync(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d) && has(d));
  } catch {
    return null;
  }
  majors.sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? null : join(DEBIAN_ROOT, majors[0], 'bin');
}

/** Whether the PostgreSQL tests run: always under CI (they fail there if it is missing). */
export const postgresTestsRun = process.env.CI === 'true' || postgresBinDir() !== null;

const MISSING =
  'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run scripts/install-test-deps.sh (Debian package postgresql-15)';

/** The user the server runs as: `postgres` when we are root (initdb refuses root), else us. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(bin: string, args: string[], cwd: string, user: ReturnType<typeof serverUser>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      ...user,
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
      stdio: 'pipe',
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bin} exited with ${code}:\n${output.slice(-2000)}`)),
    );
  });
}

export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The temp folder: data directory, Unix socket, log. */
  readonly dir: string;
  /** The connection URL of a database (superuser `postgres`, trust authentication on loopback). */
  url(database: string): string;
  /** The postmaster's PID while it runs. */
  readonly pid: number | undefined;
  /** Starts the server on the same data directory and port after `stop`. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): sessions are ended, their connections closed. */
  stop(): Promise<void>;
  /** Stops it and deletes the temp folder. */
  destroy(): Promise<void>;
}

/** initdb and start a server of its own (a test that stops its server uses one of these). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error(MISSING);
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'cpim-pg-'));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  await run(
    join(bin, 'initdb'),
    ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'],
    dir,
    user,
  );
  const port = await freePort();
  let child: StoppableChild | undefined;
  let log = '';

  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  async function start(): Promise<void> {
    log = '';
    const proc = spawn(
      join(bin!, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { cwd: dir, ...user, env: { PATH: process.env.PATH, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child = stoppable(proc);
    const until = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const client = new pg.Client({ connectionString: url('postgres') });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
      }
      if (!child.alive() || Date.now() > until)
        throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}:\n${log.slice(-2000)}`);
      await sleep(20);
    }
  }

  async function stop(): Promise<void> {
    await child?.stop('SIGINT', STOP_GRACE_MS);
    child = undefined;
  }

  await start();
  return {
    host: '127.0.0.1',
    port,
    dir,
    url,
    get pid() {
      return child?.alive() === true ? child.pid : undefined;
    },
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PostgresFixture {
  /** The file's server (after `beforeAll`). */
  server(): PostgresServer;
  /** A new, empty database on it; resolves with its URL. */
  database(): Promise<string>;
}

/** One server per test file; register it first, so it stops after everything that uses it. */
export function usePostgres(): PostgresFixture {
  let server: PostgresServer | undefined;
  let n = 0;
  beforeAll(async () => {
    if (postgresBinDir() === null) throw new Error(MISSING);
    server = await startPostgres();
  }, READY_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    await server?.destroy();
  }, STOP_GRACE_MS + 55_000);
  return {
    server() {
      if (server === undefined)
        throw new Error('usePostgres: the server is not started (use it inside a test)');
      return server;
    },
    async database() {
      const s = this.server();
      const name = `t${++n}`;
      const client = new pg.Client({ connectionString: s.url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return s.url(name);
    },
  };
}
