/**
 * The hub listener: one protocol (IMTP or PITP) on one TCP port, optionally with implicit TLS
 * (docs/hub-protocol.md part 4 rows 1, 2). Each accepted socket becomes a Connection (connection.ts)
 * whose session is the acceptor of draft §6.4: it sends `=mech` at once and runs SASL with the
 * mechanisms the configuration allows on that link. What commands mean is the application's
 * business (the router); this file only accepts, limits and stops.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { hostname as osHostname } from 'node:os';
import * as tls from 'node:tls';
import type { HubConfig } from '../config/schema.js';
import { component, type Logger } from '../log.js';
import { ListenError } from '../errors.js';
import { externalIdentity, plainVerifier } from './accounts.js';
import { Connection, type CloseReason, type ConnectionEvents, type HubConnection } from './connection.js';
import type { CommandFrame, RawHeaders } from './frame/index.js';
import type { Answer, Protocol } from '../protocol/index.js';
import type { AuthAttempts } from '../adapter.js';
import {
  createSaslServer,
  GSSAPI_SERVICE,
  type SaslServerMechanism,
  type SaslServerOptions,
} from './sasl.js';
import { defaultAuthPolicy } from './session.js';
import { HubStats } from './stats.js';
import { ConnectionCounter, LogThrottle } from '../policy/index.js';
import { hasVerifiedPeerCert, loadTlsMaterial, serverTlsOptions, verifiedPeerNames } from './tls.js';

export type { CloseReason, HubCloseCode, HubConnection } from './connection.js';

/** What the hub asks of the application behind it (the router, or a test). */
export interface HubApplication {
  /**
   * Answers a command (thrown or rejected: through replies.ts; a thenable that settles at once
   * answers in the same write as its input). Issue 18: null when the application took
   * `conn.replyTo(command.id)`; `raw`, a send's received header block (frame/raw.ts).
   */
  command(conn: HubConnection, command: CommandFrame, raw?: RawHeaders): Answer | PromiseLike<Answer> | null;
  opened?(conn: HubConnection): void;
  authenticated?(conn: HubConnection): void;
  closed?(conn: HubConnection, reason: CloseReason): void;
  /** Part 4 row 28: may `method` run before authentication? Default: nothing may. */
  allowUnauthenticated?(method: string): boolean;
}

export interface HubServerOptions {
  readonly protocol: Protocol;
  /** The whole `hub` section: the listener `hub[protocol]`, `sasl`, `accounts` and `limits`. */
  readonly config: HubConfig;
  readonly application: HubApplication;
  readonly log: Logger;
  /** Our host name for mechanisms that need a service principal (GSSAPI, §14.1); default os.hostname(). */
  readonly hostname?: string;
  /** More SASL mechanisms offered after the configured ones (GSSAPI stand-ins in tests). */
  readonly extraMechanisms?: readonly SaslServerMechanism[];
  /**
   * Authentication attempts across connections and listeners (`limits.authFailures`, issue 13
   * defect 5): an address in backoff has its connections refused at accept; a PLAIN attempt for
   * an account in backoff is answered `sasl-failure` without checking the password.
   */
  readonly authAttempts?: AuthAttempts;
  /** At most one warn line per this interval for per-address refusals (default 10 s). */
  readonly warnIntervalMs?: number;
  /**
   * Open connections per remote address (IPv4 address, IPv6 /64) on this listener
   * (`limits.connectionsPerAddress`, issue 13); unset = only `hub.limits.maxConnections`.
   */
  readonly connectionsPerAddress?: number;
}

export interface HubServer {
  start(): Promise<{ port: number; host: string }>;
  /** Asks every client to move (draft §14.2), waits until they leave or `deadlineMs` passes, then closes the rest. */
  stop(deadlineMs?: number): Promise<void>;
  readonly connections: ReadonlySet<HubConnection>;
  /** Commands by method and answers by kind on this listener (docs/operations.md). */
  readonly stats: HubStats;
  /** Whether the listener is accepting connections now. */
  readonly listening: boolean;
  /** Connections refused at accept (connection limit, per-address limit) since start. */
  readonly refused: { readonly maxConnections: number; readonly perAddress: number };
  /**
   * A reload (docs/operations-reload.md): accounts, SASL settings, `hub.limits` and the
   * per-address limit for connections accepted from now on; open connections keep theirs. The
   * listener's own address and TLS (`hub.imtp`, `hub.pitp`) cannot change here.
   */
  reconfigure(config: HubConfig, connectionsPerAddress?: number): void;
  readonly protocol: Protocol;
  /**
   * A reload re-reads a TLS listener's PEM files (a renewed certificate under the same paths):
   * this reads and checks them, throwing with the file that failed and changing nothing; the
   * function it returns puts them in force for handshakes from then on (open connections keep
   * theirs) and says whether they differ from those in force. Null: no TLS on this listener.
   */
  prepareTls(): Promise<(() => boolean) | null>;
}

/** A digest of the PEM files, so the key itself is not kept around for the comparison. */
function pemOf(m: { cert: Buffer; key: Buffer; ca?: Buffer }): string {
  const h = createHash('sha256').update(m.cert).update('\0').update(m.key).update('\0');
  return h.update(m.ca ?? '').digest('hex');
}

function remoteOf(socket: net.Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

/** One connection's authentication attempt in progress, for AuthAttempts. */
interface Attempt {
  readonly address: string;
  /** The account the current attempt names (PLAIN authcid), once known. */
  account: string | undefined;
  /** The current attempt was refused unchecked (backoff). */
  throttled: boolean;
}

export function createHubServer(options: HubServerOptions): HubServer {
  const { protocol, application } = options;
  let config = options.config;
  const listener = config[protocol];
  let limits = config.limits;
  const log = component(options.log, `hub.${protocol}`);
  const connections = new Set<Connection>();
  const hostname = options.hostname ?? osHostname();
  let mechanisms = new Set(config.sasl.mechanisms);
  // part 4 row 12 and the configuration: PLAIN needs TLS unless allowPlainWithoutTls.
  const plainOf = (c: HubConfig) =>
    mechanisms.has('PLAIN')
      ? { verify: plainVerifier(c.accounts), requireTls: !c.sasl.allowPlainWithoutTls }
      : undefined;
  let plain = plainOf(config);
  const allow = application.allowUnauthenticated?.bind(application) ?? defaultAuthPolicy();
  let server: net.Server | null = null;
  /** The digest of the PEM files in force, to tell a renewed certificate from the same one. */
  let tlsInForce = '';
  let stopping = false;
  let stopped: Promise<void> | null = null;
  let seq = 0;
  const stats = new HubStats();
  const refused = { maxConnections: 0, perAddress: 0 };

  // ANONYMOUS needs both: listed in hub.sasl.mechanisms and allowed (off by default).
  const anonymousOf = (c: HubConfig): boolean => {
    if (mechanisms.has('ANONYMOUS') && !c.sasl.allowAnonymous)
      log.warn('hub ANONYMOUS is listed but hub.sasl.allowAnonymous is false; not offered');
    if (!mechanisms.has('ANONYMOUS') && c.sasl.allowAnonymous)
      log.warn('hub allowAnonymous is set but ANONYMOUS is not in hub.sasl.mechanisms; not offered');
    return mechanisms.has('ANONYMOUS') && c.sasl.allowAnonymous;
  };
  let anonymous = anonymousOf(config);

  // Each connection's remote address and current authentication attempt, for authAttempts.
  const attempts = new WeakMap<Connection, Attempt>();
  const perAddress =
    options.connectionsPerAddress === undefined ? null : new ConnectionCounter(options.connectionsPerAddress);
  const perAddressRefusals = new LogThrottle(options.warnIntervalMs ?? 10_000);
  const events: ConnectionEvents = {
    command: (conn, c, raw) => application.command(conn, c, raw),
    authenticated: (conn, a) => {
      const at = attempts.get(conn);
      if (at !== undefined) {
        // Counted for the account the credentials named (PLAIN authcid), which the identity may
        // differ from only by an authzid the verifier allowed.
        options.authAttempts?.succeeded(at.address, at.account ?? a.identity ?? undefined);
        at.account = undefined;
      }
      application.authenticated?.(conn);
    },
    authFailed: (conn, why) => {
      const at = attempts.get(conn);
      if (at === undefined || options.authAttempts === undefined) return false;
      // A refusal in backoff was counted as throttled when it was made; only checks count here.
      if (!at.throttled) options.authAttempts.failed(at.address, at.account, why);
      at.account = undefined;
      at.throttled = false;
      return true;
    },
    closed: (conn, reason) => {
      connections.delete(conn);
      application.closed?.(conn, reason);
    },
  };

  function saslFor(socket: net.Socket, secure: boolean, at: Attempt): ReturnType<typeof createSaslServer> {
    const mutualTls = secure && hasVerifiedPeerCert(socket as tls.TLSSocket);
    if (secure && !mutualTls && listener.tls?.requestClientCert === true) {
      const problem = (socket as tls.TLSSocket).authorizationError;
      if (problem !== null && problem !== undefined)
        log.info(
          { remote: remoteOf(socket), problem: String(problem) },
          'hub client certificate not verified; EXTERNAL not offered',
        );
    }
    const sasl: SaslServerOptions = {
      ...(plain === undefined ? {} : { plain: { ...plain, admit: (account) => admit(at, account) } }),
      // EXTERNAL: only with a verified client certificate, identity from its names (accounts.ts).
      ...(mechanisms.has('EXTERNAL') && mutualTls
        ? {
            external: {
              identity: externalIdentity(config.accounts, verifiedPeerNames(socket as tls.TLSSocket)),
            },
          }
        : {}),
      ...(anonymous ? { anonymous: true } : {}),
      extra: options.extraMechanisms ?? [],
    };
    return createSaslServer(sasl, { service: GSSAPI_SERVICE[protocol], hostname, tls: secure, mutualTls });
  }

  /**
   * PLAIN, before the password is checked: an account in backoff for this address is refused
   * unchecked. The answer stays `sasl-failure` (draft §14.1: the one failure an `auth` has;
   * docs/hub-protocol.md part 4 row 30), its description says when to retry, and it counts
   * towards the connection's failures, so a guesser is closed after three as before.
   */
  function admit(at: Attempt, account: string): string | null {
    at.account = account;
    const wait = options.authAttempts?.throttle(at.address, account) ?? 0;
    at.throttled = wait > 0;
    return wait > 0 ? `too many failed authentications; retry in ${wait} ms` : null;
  }

  function accept(socket: net.Socket, secure: boolean): void {
    socket.on('error', () => {}); // Connection reports socket errors; this covers refused sockets.
    if (stopping) {
      socket.destroy();
      return;
    }
    // Issue 13 defect 5: an address in backoff is not heard at all (counted and logged as
    // throttled by authAttempts); it learns nothing, not even a mechanism list.
    const backoff = options.authAttempts?.throttle(socket.remoteAddress ?? '') ?? 0;
    if (backoff > 0) {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    if (connections.size >= limits.maxConnections) {
      refused.maxConnections++;
      log.warn(
        { remote: remoteOf(socket), limit: limits.maxConnections },
        'hub connection limit reached, connection refused',
      );
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    // Issue 13: one address cannot take every slot. The draft has no unsolicited error line, so
    // the refusal is an empty `=mech` (§6.4, §10: no mechanism is offered to this client) and
    // the close; the client learns that it cannot authenticate here.
    const release = perAddress?.acquire(socket.remoteAddress ?? '');
    if (release === null) {
      refused.perAddress++;
      const suppressed = perAddressRefusals.allow();
      if (suppressed >= 0)
        log.warn(
          { remote: remoteOf(socket), limit: options.connectionsPerAddress, suppressed },
          'hub connection refused: too many connections from this address',
        );
      socket.end('=mech\r\n');
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    // Released exactly once (ConnectionCounter ignores a second call), whoever closes.
    if (release !== undefined) socket.once('close', release);
    const at: Attempt = { address: socket.remoteAddress ?? '', account: undefined, throttled: false };
    const conn = new Connection({
      id: `${protocol}-${++seq}`,
      socket,
      role: 'acceptor',
      protocol,
      limits,
      tls: secure,
      log,
      sasl: saslFor(socket, secure, at),
      allowUnauthenticated: allow,
      events,
      stats,
    });
    if (conn.closed) return;
    attempts.set(conn, at);
    connections.add(conn);
    try {
      application.opened?.(conn);
    } catch (e) {
      conn.log.error({ err: e }, 'hub application failed on open');
    }
  }

  return {
    connections,
    stats,
    refused,
    get listening() {
      return server !== null && server.listening && !stopping;
    },
    protocol,

    async prepareTls() {
      if (listener.tls === undefined) return null;
      const material = await loadTlsMaterial(listener.tls);
      const options = serverTlsOptions(material, limits.authTimeoutMs);
      tls.createSecureContext(options); // Throws for a key that does not match, bad PEM.
      const pem = pemOf(material);
      return () => {
        if (server instanceof tls.Server) server.setSecureContext(options);
        const changed = pem !== tlsInForce;
        tlsInForce = pem;
        return changed;
      };
    },

    reconfigure(next: HubConfig, connectionsPerAddress?: number) {
      config = next;
      limits = next.limits;
      mechanisms = new Set(next.sasl.mechanisms);
      plain = plainOf(next);
      anonymous = anonymousOf(next);
      if (connectionsPerAddress !== undefined) perAddress?.setMax(connectionsPerAddress);
      if (server !== null) server.maxConnections = limits.maxConnections * 2;
    },

    async start() {
      if (server !== null) throw new Error('hub listener already started');
      if (listener.tls !== undefined) {
        const material = await loadTlsMaterial(listener.tls);
        tlsInForce = pemOf(material);
        const s = tls.createServer(serverTlsOptions(material, limits.authTimeoutMs), (sock) =>
          accept(sock, true),
        );
        s.on('tlsClientError', (e, sock) =>
          log.info({ remote: remoteOf(sock), problem: e.message }, 'hub TLS handshake failed'),
        );
        server = s;
      } else {
        server = net.createServer((sock) => accept(sock, false));
      }
      // A hard cap on raw sockets (TLS handshakes included); the clean refusal above comes first.
      server.maxConnections = limits.maxConnections * 2;
      server.on('drop', (d?: { remoteAddress?: string }) =>
        log.warn(
          { remote: d?.remoteAddress, limit: server?.maxConnections },
          'hub socket limit reached, connection dropped',
        ),
      );
      const s = server;
      try {
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(listener.port, listener.host, () => {
            s.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        server = null;
        throw ListenError.from(e, listener.host, listener.port, `hub.${protocol}.port`);
      }
      s.on('error', (e) => log.error({ err: e }, 'hub listener error'));
      const address = s.address() as net.AddressInfo;
      log.info(
        {
          host: address.address,
          port: address.port,
          tls: listener.tls !== undefined,
          mechanisms: [...mechanisms],
        },
        'hub listener started',
      );
      return { host: address.address, port: address.port };
    },

    stop(deadlineMs = 5000) {
      stopped ??= stopNow(deadlineMs);
      return stopped;
    },
  };

  async function stopNow(deadlineMs: number): Promise<void> {
    const s = server;
    stopping = true;
    if (s === null) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    const all = [...connections];
    // draft §14.2, part 3 row 33: ask each client to move; it answers ok and closes when it
    // has moved, or answers an error (communications), after which we may drop it.
    for (const c of all)
      void c.command('shutdown').then((r) => {
        if (r.status === 'error') c.closeWith('server-stopping', 'the hub is stopping', false);
      });
    await Promise.race([Promise.all(all.map((c) => c.done)), deadline]);
    for (const c of connections) c.closeWith('server-stopping', 'the hub is stopping', true);
    await closed;
    server = null;
    log.info('hub listener stopped');
  }
}
