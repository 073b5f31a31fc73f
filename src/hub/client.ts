/**
 * The hub client: connects to an IMTP/PITP listener as the initiator (draft §6.4), optionally
 * over implicit TLS (part 4 row 2), authenticates with SASL (§14.1) and checks that the `=mech`
 * list resent after authentication is identical (part 3 row 22: a change means a downgrade; the
 * session closes and `connectHub` rejects). Used by tests, federation links and the CLI.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { pino } from 'pino';
import { hubLimitsSchema, type HubLimits } from '../config/schema.js';
import { HubError } from '../errors.js';
import { component, type Logger } from '../log.js';
import { Connection, type CloseReason, type HubConnection } from './connection.js';
import type { CommandFrame, ResponseFrame } from './frame/index.js';
import type { Answer, Header, Strength, Protocol } from '../protocol/index.js';

import {
  anonymousClient,
  externalClient,
  plainClient,
  strengthOf,
  type SaslClientMechanism,
} from './sasl.js';
import { clientTlsOptions, type ClientTlsOptions } from './tls.js';

export type { ClientTlsOptions } from './tls.js';

export type HubClientSasl =
  | {
      readonly mechanism: 'PLAIN';
      readonly user: string;
      readonly password: string;
      readonly authzid?: string;
    }
  | { readonly mechanism: 'EXTERNAL'; readonly authzid?: string }
  | { readonly mechanism: 'ANONYMOUS'; readonly trace?: string };

export interface HubClientOptions {
  readonly host: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Implicit TLS; PEM contents, verification on by default. */
  readonly tls?: ClientTlsOptions;
  /** Without it the client stays unauthenticated (part 4 row 28). */
  readonly sasl?: HubClientSasl;
  /** Same keys and defaults as `hub.limits`. */
  readonly limits?: Partial<HubLimits>;
  readonly log?: Logger;
  /** Commands from the server: delivered sends, notifies, shutdown (§14.2). Default: shutdown is answered ok and the client closes; anything else gets unknown-method. */
  readonly onCommand?: (command: CommandFrame) => Answer | PromiseLike<Answer>;
  /** Our commands unanswered this long resolve as `communications` (default limits.commandTimeoutMs). */
  readonly commandTimeoutMs?: number;
  /** Connect, TLS handshake and authentication together (default limits.authTimeoutMs). */
  readonly connectTimeoutMs?: number;
}

export interface HubClient {
  /** Never rejects: a timeout or lost connection answers `communications`. */
  command(method: string, headers?: readonly Header[], payload?: Uint8Array | null): Promise<ResponseFrame>;
  /** Closes and resolves once the socket is closed. */
  close(): Promise<void>;
  readonly closed: Promise<CloseReason>;
  /** The server's `=mech` list. */
  readonly mechanisms: readonly string[];
  /** The strength the server gives this link under part 4 row 12. */
  readonly strength: Strength;
  readonly connection: HubConnection;
}

export type HubClientErrorCode = 'connect' | 'tls' | 'timeout' | 'sasl-failure' | 'mech-mismatch' | 'closed';

export class HubClientError extends Error {
  override readonly name = 'HubClientError';
  constructor(
    readonly code: HubClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

let quiet: Logger | null = null;
let seq = 0;

function saslMechanism(s: HubClientSasl): SaslClientMechanism {
  switch (s.mechanism) {
    case 'PLAIN':
      return plainClient(s.user, s.password, s.authzid);
    case 'EXTERNAL':
      return externalClient(s.authzid);
    case 'ANONYMOUS':
      return anonymousClient(s.trace);
  }
}

/** Node/OpenSSL codes of a server certificate that did not verify. */
const VERIFY = /CERT|VERIFY|SELF_SIGNED|ISSUER|ALTNAME|UNTRUSTED|CHAIN/;

function classify(e: NodeJS.ErrnoException, where: string, secure: boolean): HubClientError {
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED')
    return new HubClientError('connect', `connection refused by ${where}`, { cause: e });
  if (secure && VERIFY.test(code))
    return new HubClientError('tls', `TLS verification of ${where} failed: ${code}: ${e.message}`, {
      cause: e,
    });
  if (secure && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS/i.test(e.message)))
    return new HubClientError('tls', `TLS handshake with ${where} failed: ${e.message}`, { cause: e });
  return new HubClientError('connect', `cannot connect to ${where}: ${code || e.message}`, { cause: e });
}

function open(o: HubClientOptions, timeoutMs: number): Promise<net.Socket> {
  const where = `${o.host}:${o.port}`;
  const secure = o.tls !== undefined;
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect(clientTlsOptions(o.host, o.port, o.tls!))
      : net.connect({ host: o.host, port: o.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HubClientError('timeout', `no connection to ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (e: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(classify(e, where, secure));
    };
    socket.once('error', onError);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export async function connectHub(o: HubClientOptions): Promise<HubClient> {
  const limits = hubLimitsSchema.parse({
    ...o.limits,
    ...(o.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: o.commandTimeoutMs }),
  });
  const timeoutMs = o.connectTimeoutMs ?? limits.authTimeoutMs;
  const log = component(o.log ?? (quiet ??= pino({ level: 'silent' })), `hub.${o.protocol}.client`);
  const started = Date.now();
  const socket = await open(o, timeoutMs);
  const socketClosed = new Promise<void>((r) => socket.once('close', () => r()));
  const secure = o.tls !== undefined;
  const sasl = o.sasl;
  let mechanisms: readonly string[] = [];

  return new Promise<HubClient>((resolve, reject) => {
    let settled = false;
    const fail = (code: HubClientErrorCode, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.closeWith('local', message, false);
      reject(new HubClientError(code, message));
    };
    const ready = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        command: (method, headers, payload) => conn.command(method, headers, payload),
        close: async () => {
          conn.close('closed by the client');
          await socketClosed;
        },
        closed: conn.done,
        mechanisms,
        strength: conn.strength,
        connection: conn,
      });
    };
    const timer = setTimeout(
      () => fail('timeout', `not ready within ${timeoutMs} ms (no mechanism list or no answer to auth)`),
      Math.max(0, timeoutMs - (Date.now() - started)),
    );
    const conn: Connection = new Connection({
      id: `${o.protocol}-out-${++seq}`,
      socket,
      role: 'initiator',
      protocol: o.protocol,
      limits,
      tls: secure,
      log,
      events: {
        command: (_c, command) => {
          if (o.onCommand !== undefined) return o.onCommand(command);
          // draft §14.2: acknowledge; with nowhere to move to, leave at once.
          if (command.method === 'shutdown') {
            setImmediate(() => conn.close('the server asked us to move (shutdown)'));
            return { status: 'ok', headers: [] };
          }
          throw new HubError('unknown-method', `this client does not take ${command.method}`);
        },
        mech: (_c, list) => {
          mechanisms = list;
          if (sasl === undefined) return ready();
          if (!list.includes(sasl.mechanism))
            return fail(
              'sasl-failure',
              `the server does not offer ${sasl.mechanism} (it offers: ${list.join(' ') || 'nothing'})`,
            );
          conn.session.authenticate(saslMechanism(sasl));
        },
        authenticated: (_c, auth) => {
          // part 4 row 12, as the server computes it for this link.
          conn.localStrength = strengthOf(auth.mechanism, {
            tls: secure,
            mutualTls: secure && o.tls?.cert !== undefined,
          });
          conn.localIdentity =
            sasl?.mechanism === 'PLAIN'
              ? (sasl.authzid ?? sasl.user)
              : sasl?.mechanism === 'EXTERNAL'
                ? (sasl.authzid ?? null)
                : null;
          log.info(
            { conn: conn.id, mechanism: auth.mechanism, strength: conn.localStrength },
            'hub client authenticated',
          );
          ready();
        },
        authFailed: (_c, why) => fail('sasl-failure', `authentication failed: ${why}`),
        closed: (_c, reason) =>
          fail(
            reason.code === 'mech-mismatch' ? 'mech-mismatch' : 'closed',
            reason.code === 'mech-mismatch'
              ? `possible downgrade attack: ${reason.message}`
              : `connection closed before it was ready: ${reason.message}`,
          ),
      },
    });
  });
}
