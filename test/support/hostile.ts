/**
 * The hostile-input suite's fixture (test/integration/hostile/, issue 13): one real gateway
 * process per file, and after EACH case the two things the issue asks for: the process is
 * still alive, and a well-behaved client of the listener under test is served end to end within
 * a second of the case's traffic settling. No line at error or fatal level may appear either
 * (a failure a case provokes is the client's: it is logged at warn, with a reason).
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { spawnGateway, type GatewayProcess, type GatewaySpec, type LogLine } from './hostile-gateway.js';
import { wrapSocket, type RawPeer } from './hub-tcp.js';
import { sleep } from './net.js';

export { type GatewayProcess, type LogLine } from './hostile-gateway.js';

/** The bound: a well-behaved client is answered within a second. */
export const SERVED_WITHIN_MS = 1000;
/** Time for the last case's traffic to settle before the well-behaved client starts. */
const SETTLE_MS = 150;

export type WellBehaved = (gw: GatewayProcess) => Promise<void>;

export interface HostileArena {
  /** The gateway of this file. */
  gw(): GatewayProcess;
  /** A raw TCP connection to `port`, destroyed after the case. */
  raw(port: number): Promise<RawPeer>;
  /** Log lines written since the current case began. */
  caseLogs(): LogLine[];
  /** Waits for a log line of this case with `msg` (and the fields given), or fails. */
  waitForLog(msg: string, fields?: Record<string, unknown>, ms?: number): Promise<LogLine>;
}

/**
 * Registers the hooks: the gateway starts once for the file and stops by PID after it; after
 * every case the attacker's sockets are closed, then `wellBehaved` must succeed in time.
 */
export function useHostileGateway(
  wellBehaved: WellBehaved,
  spec: GatewaySpec | (() => GatewaySpec) = {},
): HostileArena {
  let gw: GatewayProcess | undefined;
  const sockets: Socket[] = [];
  let logMark = 0;
  beforeAll(async () => {
    gw = await spawnGateway(typeof spec === 'function' ? spec() : spec);
    await wellBehaved(gw);
  }, 30_000);
  afterAll(async () => {
    await gw?.stop();
  });
  beforeEach(() => {
    logMark = gw!.logs().length;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await sleep(SETTLE_MS);
    const g = gw!;
    expect(g.alive(), `gateway exited:\n${g.output().slice(-4000)}`).toBe(true);
    await within(SERVED_WITHIN_MS, wellBehaved(g), 'the well-behaved client was not served');
    const bad = g.logs().filter((l) => l.level >= 50);
    expect(bad, 'log lines at error or fatal level').toEqual([]);
  }, 10_000);
  const caseLogs = (): LogLine[] => gw!.logs().slice(logMark);
  return {
    gw: () => gw!,
    async raw(port) {
      const s = tcpConnect(port, '127.0.0.1');
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('error', reject);
      });
      return wrapSocket(s, true);
    },
    caseLogs,
    async waitForLog(msg, fields = {}, ms = 3000) {
      const until = Date.now() + ms;
      for (;;) {
        const hit = caseLogs().find(
          (l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v),
        );
        if (hit !== undefined) return hit;
        if (Date.now() > until)
          throw new Error(`no log line "${msg}"; this case logged:\n${JSON.stringify(caseLogs(), null, 1)}`);
        await sleep(20);
      }
    },
  };
}

/** Resolves with `p`, or fails with `what` when it takes longer than `ms`. */
export async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One row of a case table: what is sent, and the answer the spec says comes back. */
export interface HostileCase<A> {
  readonly name: string;
  /** The spec section that decides the answer. */
  readonly spec: string;
  readonly run: (arena: HostileArena) => Promise<A>;
  readonly expected: A | ((got: A) => void);
}
