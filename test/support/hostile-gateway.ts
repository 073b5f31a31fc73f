/**
 * The gateway of the hostile-input suite (test/integration/hostile/): one real `cpim-gateway
 * start --config FILE` child process per test file, so that a crash or a stalled event loop in
 * the gateway shows as a dead or silent process instead of taking vitest down (issue 13: "every
 * listener survives hostile input and floods").
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stoppable, type StoppableChild } from './child.js';
import { freePorts, untilListening } from './net.js';

const BIN = new URL('../../bin/cpim-gateway.js', import.meta.url).pathname;

export const HMAC_SECRET = 'hostile-suite-secret-0123456789-abcdef';
export const HUB_DOMAIN = 'gw.test';
export const WEB_DOMAIN = 'web.test';
export const MAIL_DOMAIN = 'mail.gw.test';
/** Hub accounts: user → password (PLAIN over loopback, hub.sasl.allowPlainWithoutTls). */
export const PASSWORDS = { alice: 'alice-pw', bob: 'bob-pw' } as const;
/** SMTP AUTH account of the email adapter (inbound.auth). */
export const SMTP_USER = { user: 'submit', password: 'submit-pw' } as const;

export interface Ports {
  readonly imtp: number;
  readonly pitp: number;
  readonly http: number;
  readonly smtp: number;
  readonly ops: number;
  readonly files: number;
}

export interface GatewaySpec {
  /** STARTTLS certificate for SMTP (PEM file paths). */
  readonly smtpTls?: { readonly cert: string; readonly key: string };
  /** Extra keys merged into the websocket adapter's section (JSON, which YAML reads). */
  readonly web?: Record<string, unknown>;
  /** Extra keys merged into the email adapter's `inbound` section. */
  readonly smtpInbound?: Record<string, unknown>;
  /** Extra keys merged into `hub.limits`. */
  readonly hubLimits?: Record<string, unknown>;
  /** Node options before the binary, e.g. `--import FILE` (test hooks only). */
  readonly nodeArgs?: readonly string[];
  /** Extra environment for the child. */
  readonly env?: Record<string, string>;
}

/**
 * Every listener on loopback: hub IMTP/PITP with alice and bob, the web adapter (web.test, HS256
 * tokens) and the email adapter (mail.gw.test → gw.test, AUTH configured). Authentication
 * backoff is cut to 1 ms so that the cases' deliberate failures from 127.0.0.1 do not slow the
 * well-behaved client's login, which comes from the same address (backoff has its own tests).
 */
export function gatewayConfig(p: Ports, outDir: string, spec: GatewaySpec = {}): string {
  const web = {
    type: 'websocket',
    id: 'web',
    domain: WEB_DOMAIN,
    http: { host: '127.0.0.1', port: p.http, page: true, headersTimeoutMs: 1000, requestTimeoutMs: 2000 },
    auth: { hmacSecret: HMAC_SECRET, timeoutMs: 1500 },
    ...spec.web,
  };
  const mail = {
    type: 'email',
    id: 'mail',
    domain: MAIL_DOMAIN,
    localDomain: HUB_DOMAIN,
    senderAuth: { enabled: false },
    inbound: {
      host: '127.0.0.1',
      port: p.smtp,
      socketTimeoutMs: 1500,
      auth: { users: [{ ...SMTP_USER, addresses: [] }], allowInsecure: true },
      ...(spec.smtpTls === undefined ? {} : { tls: spec.smtpTls }),
      ...spec.smtpInbound,
    },
    outbound: { transport: 'directory', directory: outDir },
  };
  const account = (user: string, password: string) => ({
    user,
    password,
    identities: [`im:${user}@${HUB_DOMAIN}`, `pres:${user}@${HUB_DOMAIN}`],
  });
  const config = {
    gateway: { domains: [HUB_DOMAIN] },
    log: { level: 'info' },
    hub: {
      imtp: { host: '127.0.0.1', port: p.imtp },
      pitp: { host: '127.0.0.1', port: p.pitp },
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts: Object.entries(PASSWORDS).map(([u, pw]) => account(u, pw)),
      limits: { authTimeoutMs: 1500, ...spec.hubLimits },
    },
    limits: { warnIntervalMs: 100, authFailures: { baseDelayMs: 1, maxDelayMs: 1 } },
    adapters: [web, mail],
    ops: { host: '127.0.0.1', port: p.ops },
    files: { listen: { host: '127.0.0.1', port: p.files } },
    // Issue 15: the store beside the configuration, in the temporary folder (never ./data).
    storage: { path: join(outDir, '..', 'gw.sqlite') },
  };
  // JSON is YAML (YAML 1.2), so the config file is written as JSON text.
  return JSON.stringify(config, null, 2);
}

/** One JSON log line of the gateway (pino: level 30 info, 40 warn, 50 error, 60 fatal). */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

export interface GatewayProcess extends StoppableChild {
  readonly ports: Ports;
  readonly dir: string;
  /** Every log line so far, parsed. */
  logs(): LogLine[];
  /** Raw standard output and error so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once all output is read. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `cpim-gateway start --config FILE` on free ports and waits until every port listens. */
export async function spawnGateway(spec: GatewaySpec = {}): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cpim-hostile-'));
  // Every listener on a port chosen here: one left to the system (port 0) could be given a port
  // chosen for another listener that binds later, and the start would fail on `address in use`.
  const [imtp, pitp, http, smtp, ops, files] = await freePorts(6);
  const ports: Ports = { imtp: imtp!, pitp: pitp!, http: http!, smtp: smtp!, ops: ops!, files: files! };
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, gatewayConfig(ports, join(dir, 'out'), spec));
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), BIN, 'start', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
  let out = '';
  let parsedUpTo = 0;
  const lines: LogLine[] = [];
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': 'exit' may come before the last output is read, and a test reading the
  // logs on exit would miss the lines written just before it (seen: `hub listener stopped`).
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('close', (code, signal) => r({ code, signal })),
  );
  const proc = stoppable(child);
  const logs = (): LogLine[] => {
    const end = out.lastIndexOf('\n') + 1;
    for (const line of out.slice(parsedUpTo, end).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // A line that is not JSON (a runtime message on stderr) is kept in output() only.
      }
    }
    parsedUpTo = end;
    return lines;
  };
  try {
    await untilListening(Object.values(ports), 'the gateway', () => !proc.alive(), 20_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    ...proc,
    alive: proc.alive,
    stop: async (signal?: NodeJS.Signals, graceMs?: number) => {
      await proc.stop(signal, graceMs ?? 5000);
      rmSync(dir, { recursive: true, force: true });
    },
    ports,
    dir,
    logs,
    output: () => out,
    exited,
  };
}
