/**
 * The gateway of the kill tests (issue 15, "Done when": a test kills the gateway with SIGKILL in
 * the middle of a stream, starts it again on the same store and checks that every message
 * answered `ok` was delivered or is delivered after the restart, none twice).
 *
 * The real binary (`node bin/cpim-gateway.js start --config FILE`, the compiled dist/) runs as a
 * child process; its configuration is written once to a temporary folder, with the SQLite store
 * in that folder (never ./data) and the ops endpoint on a free port. `kill()` sends SIGKILL by PID
 * (no shutdown code runs: what was not committed is lost, as in a power cut), `restart()` starts
 * the same configuration again: the same ports and the same store file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectHub, type HubClient } from '../../src/hub/client.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { Answer } from '../../src/protocol/index.js';
import { freePorts } from './net.js';
import { stopAfterEach } from './stop-after.js';

const BIN = new URL('../../bin/cpim-gateway.js', import.meta.url).pathname;

export const KILL_DOMAIN = 'gw.test';
/** Hub accounts (password = user name; PLAIN over loopback). */
export const KILL_USERS = ['alice', 'bob', 'carol', 'dave'] as const;

/** Ports of the hub listeners plus the extra ones a test asked for (`http`, `smtp`, …). */
export type KillPorts = { readonly imtp: number; readonly pitp: number } & Readonly<Record<string, number>>;

export interface KillGatewaySpec {
  /** Names of extra free ports the configuration needs (e.g. `http` for the web adapter). */
  readonly extraPorts?: readonly string[];
  /**
   * Top-level configuration keys merged over the base (rooms, adapters, storage.offline…), given
   * the ports and the test's temporary folder. `storage` is merged key by key over the harness's.
   */
  readonly config?: (ports: KillPorts, dir: string) => Record<string, unknown>;
}

/** One JSON log line of the gateway (pino: level 30 info, 40 warn, 50 error, 60 fatal). */
export type KillLogLine = Record<string, unknown> & { level: number; msg: string };

export interface KillGateway {
  readonly dir: string;
  readonly ports: KillPorts;
  /** The SQLite file the gateway keeps its state in. */
  readonly storePath: string;
  /** The PID of the running gateway process. */
  pid(): number;
  alive(): boolean;
  /** How many times the process was started (1 after the first start). */
  runs(): number;
  /** Every log line of every run so far, parsed (lines still buffered at a SIGKILL are lost). */
  logs(): KillLogLine[];
  /** SIGKILL by PID, then waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts the same configuration again (same ports, same store); waits for "gateway started". */
  restart(): Promise<void>;
  /** A hub client logged in as `user` on the current run (closed by stop()). */
  client(user: string, onCommand?: (c: CommandFrame) => Answer | Promise<Answer>): Promise<HubClient>;
  /** Stops it cleanly (SIGTERM, SIGKILL after a grace period) and keeps the folder and the store. */
  terminate(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period), closes the clients, removes the folder. */
  stop(): Promise<void>;
}

/** The base configuration: hub listeners, accounts, the store in `dir`, ops on a free port. */
export function killGatewayConfig(ports: KillPorts, dir: string, spec: KillGatewaySpec): string {
  const extra = spec.config?.(ports, dir) ?? {};
  const { storage, ...rest } = extra as { storage?: Record<string, unknown> };
  const config = {
    gateway: { domains: [KILL_DOMAIN] },
    log: { level: 'info', format: 'json' },
    hub: {
      imtp: { host: '127.0.0.1', port: ports.imtp },
      pitp: { host: '127.0.0.1', port: ports.pitp },
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts: KILL_USERS.map((u) => ({
        user: u,
        password: u,
        identities: [`im:${u}@${KILL_DOMAIN}`, `pres:${u}@${KILL_DOMAIN}`],
      })),
      limits: { maxOutstandingCommands: 4096 },
    },
    // The streams of the tests are faster than a person writes; the per-sender rate is not what
    // these tests are about.
    limits: { perSender: { messagesPerSecond: 1e6, burst: 1e6 } },
    ops: { host: '127.0.0.1', port: 0 },
    files: { listen: { host: '127.0.0.1', port: 0 } },
    storage: { backend: 'sqlite', path: join(dir, 'store', 'gateway.sqlite'), ...storage },
    ...rest,
  };
  // JSON is YAML (YAML 1.2), so the config file is written as JSON text.
  return JSON.stringify(config, null, 2);
}

interface Run {
  readonly child: ChildProcess;
  readonly closed: Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/** Writes the configuration, starts the binary and waits for "gateway started". */
export async function startKillGateway(spec: KillGatewaySpec = {}): Promise<KillGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'cpim-kill-'));
  const names = ['imtp', 'pitp', ...(spec.extraPorts ?? [])];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((n, i) => [n, free[i]!])) as KillPorts;
  const file = join(dir, 'gateway.yaml');
  const storePath = join(dir, 'store', 'gateway.sqlite');
  writeFileSync(file, killGatewayConfig(ports, dir, spec));
  const lines: KillLogLine[] = [];
  const clients = new Set<HubClient>();
  let run: Run | null = null;
  let count = 0;

  const alive = (): boolean => run !== null && run.child.exitCode === null && run.child.signalCode === null;

  const launch = async (): Promise<void> => {
    const child = spawn(process.execPath, [BIN, 'start', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: dir,
    });
    count++;
    let out = '';
    let carry = '';
    let started = false;
    // 'close', not 'exit': the output is read to its end first.
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    const onData = (d: Buffer): void => {
      out += d.toString();
      carry += d.toString();
      const end = carry.lastIndexOf('\n');
      if (end === -1) return;
      for (const line of carry.slice(0, end).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as KillLogLine;
          lines.push(parsed);
          if (parsed.msg === 'gateway started') started = true;
        } catch {
          // A line that is not JSON (a runtime message on stderr) is only in the output.
        }
      }
      carry = carry.slice(end + 1);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    run = { child, closed };
    const until = Date.now() + START_TIMEOUT_MS;
    while (!started) {
      if (!alive() || Date.now() > until) {
        if (alive()) process.kill(child.pid!, 'SIGKILL');
        await closed;
        throw new Error(`the gateway (run ${count}) did not start:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const closeClients = async (): Promise<void> => {
    await Promise.all([...clients].map((c) => c.close().catch(() => undefined)));
    clients.clear();
  };

  const signal = async (sig: NodeJS.Signals, graceMs: number): Promise<void> => {
    const r = run;
    if (r === null) return;
    if (alive()) {
      process.kill(r.child.pid!, sig);
      const t = setTimeout(() => {
        if (alive()) process.kill(r.child.pid!, 'SIGKILL');
      }, graceMs);
      await r.closed;
      clearTimeout(t);
    }
    await r.closed;
  };

  await launch();
  return {
    dir,
    ports,
    storePath,
    pid: () => run!.child.pid!,
    alive,
    runs: () => count,
    logs: () => lines,
    async kill() {
      await signal('SIGKILL', 0);
      await closeClients();
    },
    async restart() {
      if (alive()) throw new Error('restart() of a gateway still running: kill() it first');
      await launch();
    },
    async client(user, onCommand) {
      const c = await connectHub({
        host: '127.0.0.1',
        port: ports.imtp,
        protocol: 'imtp',
        sasl: { mechanism: 'PLAIN', user, password: user },
        ...(onCommand ? { onCommand } : {}),
      });
      clients.add(c);
      return c;
    },
    async terminate() {
      await closeClients();
      await signal('SIGTERM', 5000);
    },
    async stop() {
      await closeClients();
      await signal('SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** startKillGateway, each gateway stopped (and its folder removed) after its test. */
export const useKillGateways = () => stopAfterEach(startKillGateway);
