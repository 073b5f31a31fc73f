/**
 * What the CLI's client commands (send, listen, presence) share: the hub connection options,
 * turning addresses into hub identifiers, error lines people can read, and waiting for Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { connectHub, HubClientError, type HubClient, type HubClientOptions } from '../hub/client.js';
import type { CommandFrame, ResponseFrame } from '../hub/frame/index.js';
import { getHeader, type Answer } from '../protocol/index.js';
import { parseAddress, toHudson, toIm, toPres, type ImAddress, type PresAddress } from '../model/index.js';
import { connectHint, unreadable } from './hints.js';

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly readStdin: () => Uint8Array;
  /** Ends long-running commands (listen, presence watch); default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Wrong arguments: exit code 2 with the usage text. */
export class UsageError extends Error {}

/** A failure to report on one line: exit code 1. */
export class CliFailure extends Error {}

/** The options every client command takes (docs/cli.md). */
export const HUB_OPTIONS = {
  hub: { type: 'string' },
  imtp: { type: 'string' },
  pitp: { type: 'string' },
  user: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'p' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
} as const;

export interface HubArgs {
  hub?: string | undefined;
  imtp?: string | undefined;
  pitp?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  tls?: boolean | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** This project's default ports (the draft leaves them "XXX", part 4 row 1). */
const DEFAULT_PORT = { imtp: 7410, pitp: 7411 } as const;

/** `host`, `host:port` or `[v6]:port`. */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (m === null || port > 65535) throw new UsageError(`"${text}" is not HOST or HOST:PORT`);
  return { host: m[1] ?? m[2]!, port };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(unreadable(`the ${what} file`, path, e));
  }
}

/**
 * Connects to the hub for `protocol`: `--imtp`/`--pitp` (or CPIM_IMTP / CPIM_PITP), else
 * `--hub` (or CPIM_HUB; its port, when given, is the one of this protocol), else
 * 127.0.0.1:7410 / 7411. PLAIN with --user/--password (CPIM_USER / CPIM_PASSWORD); EXTERNAL
 * with --cert/--key; implicit TLS with --tls, --ca or --cert.
 */
export async function connect(
  args: HubArgs,
  protocol: 'imtp' | 'pitp',
  io: CliIo,
  onCommand?: (c: CommandFrame) => Answer | Promise<Answer>,
): Promise<HubClient> {
  const env = io.env ?? process.env;
  const own = args[protocol] ?? env[protocol === 'imtp' ? 'CPIM_IMTP' : 'CPIM_PITP'];
  const at = parseHostPort(own ?? args.hub ?? env.CPIM_HUB ?? '127.0.0.1', DEFAULT_PORT[protocol]);
  const user = args.user ?? env.CPIM_USER;
  const password = args.password ?? env.CPIM_PASSWORD;
  if (user !== undefined && password === undefined)
    throw new UsageError('--user needs --password (or CPIM_PASSWORD)');
  if ((args.cert === undefined) !== (args.key === undefined))
    throw new UsageError('--cert and --key go together');
  const secure = args.tls === true || args.ca !== undefined || args.cert !== undefined;
  const options: HubClientOptions = {
    host: at.host,
    port: at.port,
    protocol,
    ...(secure
      ? {
          tls: {
            ...(args.ca === undefined ? {} : { ca: readPem(args.ca, 'CA') }),
            ...(args.cert === undefined
              ? {}
              : { cert: readPem(args.cert, 'certificate'), key: readPem(args.key!, 'key') }),
          },
        }
      : {}),
    ...(user !== undefined
      ? { sasl: { mechanism: 'PLAIN' as const, user, password: password! } }
      : args.cert !== undefined
        ? { sasl: { mechanism: 'EXTERNAL' as const } }
        : {}),
    ...(onCommand === undefined ? {} : { onCommand }),
    connectTimeoutMs: 10_000,
  };
  try {
    return await connectHub(options);
  } catch (e) {
    if (e instanceof HubClientError)
      throw new CliFailure(
        `${protocol.toUpperCase()} ${at.host}:${at.port}: ${e.message}; ${connectHint(e.code)}`,
      );
    throw e;
  }
}

function address(text: string, scheme: 'im' | 'pres'): ImAddress | PresAddress {
  let a;
  try {
    a = parseAddress(text.trim(), { defaultScheme: scheme });
  } catch (e) {
    throw new UsageError(`"${text}" is not an address: ${(e as Error).message}`);
  }
  if (a.domain === '') throw new UsageError(`"${text}" names no one (local@domain is needed)`);
  return scheme === 'im' ? toIm(a) : toPres(a);
}

/** An inbox: `im:` URI and the hub's spelling of it (same). Scheme-less ids are accepted. */
export function inbox(text: string): { uri: string; hub: string } {
  const a = address(text, 'im');
  return { uri: a.uri, hub: toHudson(a) };
}

/** A presentity: `pres:` URI and the hub's `presence:` spelling (docs/hub-protocol.md part 5.1). */
export function presentity(text: string): { uri: string; hub: string; im: string } {
  const a = address(text, 'pres');
  return { uri: a.uri, hub: toHudson(a), im: toIm(a).uri };
}

const FRIENDLY: Record<string, (subject: string) => string> = {
  'no-listeners': (s) => `nobody is listening on ${s}`,
  'target-not-found': (s) => `${s} was not found (unknown user, or no route to its domain)`,
  'target-authorization': (s) => `not allowed: ${s} does not let you do that`,
  'source-authorization': () => 'not allowed: your account may not act for that sender / watcher',
  communications: (s) => `the path to ${s} is not working right now; try again later`,
  loop: (s) => `the message went round in a loop on its way to ${s}`,
  quota: () => 'too large, or over a limit of the gateway',
};

/** `type: what it means (detail; reported by X)` for an error answer about `subject`. */
export function describeError(r: ResponseFrame, subject: string): string {
  const type = getHeader(r.headers, 'Error-Type') ?? 'error';
  const description = getHeader(r.headers, 'Error-Description');
  const originator = getHeader(r.headers, 'Error-Originator');
  const friendly = FRIENDLY[type]?.(subject);
  const detail = [friendly === undefined ? description : undefined, originator && `reported by ${originator}`]
    .filter((x) => x !== undefined && x !== '')
    .join('; ');
  const main = friendly ?? description ?? 'failed';
  return `${type}: ${main}${detail ? ` (${detail})` : ''}`;
}

/** The answer when it is `ok`; an error answer about `subject` ends the command (CliFailure). */
export function expectOk(r: ResponseFrame, subject: string): ResponseFrame {
  if (r.status === 'error') throw new CliFailure(describeError(r, subject));
  return r;
}

/** Connects (see connect()), runs `session` with the client, and closes it however that ends. */
export async function withHub<T>(
  args: HubArgs,
  protocol: 'imtp' | 'pitp',
  io: CliIo,
  session: (client: HubClient) => Promise<T>,
  onCommand?: (c: CommandFrame) => Answer | Promise<Answer>,
): Promise<T> {
  const client = await connect(args, protocol, io, onCommand);
  try {
    return await session(client);
  } finally {
    await client.close();
  }
}

/** Resolves on Ctrl-C / SIGTERM (or `io.signal`), or when `closed` settles first. */
export function untilStopped(io: CliIo, closed: Promise<unknown>): Promise<'signal' | 'closed'> {
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    const done = (why: 'signal' | 'closed') => {
      for (const c of cleanups) c();
      resolve(why);
    };
    if (io.signal !== undefined) {
      if (io.signal.aborted) return done('signal');
      const on = () => done('signal');
      io.signal.addEventListener('abort', on, { once: true });
      cleanups.push(() => io.signal!.removeEventListener('abort', on));
    } else {
      const on = () => done('signal');
      process.once('SIGINT', on);
      process.once('SIGTERM', on);
      cleanups.push(() => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
      });
    }
    void closed.then(() => done('closed'));
  });
}
