/**
 * The WebSocket web chat adapter (docs/architecture.md parts 2, 5): serves one domain of web users,
 * im:<user>@<domain>, publishes their presence (`presence: 'publish'`: the router keeps the
 * store and serves watchers) and bridges web rooms into gateway rooms. I/O lives here and in
 * http-server.ts; translation is in translate.ts, frame handling in handlers.ts.
 */
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  Adapter,
  AdapterContext,
  AdapterStats,
  Answer,
  Capabilities,
  Operation,
} from '../../src/index.js';
import type { WebSocketConfig } from './config.js';
import { handleFrame, subscribe, unsubscribe } from './handlers.js';
import { WebServer } from './http-server.js';
import { deliverOperation } from './inbound.js';
import { WebMetrics } from './metrics.js';
import { pageAssets } from './page-build.js';
import { CLOSE, Session } from './session.js';
import type { SessionHost, SessionSocket } from './session-socket.js';
import { onlyCredentialsChanged, revokedUsers } from './reconfigure.js';
import { TokenVerifier } from './tokens.js';
import { UploadHandler } from './upload.js';
import { CPIM_TYPE } from './translate.js';
import { WebChat } from './web-chat.js';

export class WebSocketAdapter implements Adapter {
  readonly domains: readonly string[];
  readonly capabilities: Capabilities;
  readonly chat: WebChat;
  private tokens: TokenVerifier;
  private readonly metrics: WebMetrics;
  private server: WebServer | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  private bound: AddressInfo | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    public config: WebSocketConfig,
    private readonly ctx: AdapterContext,
  ) {
    this.domains = [config.domain];
    this.capabilities = {
      presence: 'publish',
      contentTypes: [CPIM_TYPE, 'text/plain'],
      groups: true,
      // Each web user's message rate, enforced by the router (issue 12: one place for all).
      senderRate: { ratePerSecond: config.limits.messagesPerSecond, burst: config.limits.messageBurst },
    };
    this.tokens = new TokenVerifier(config.auth);
    this.metrics = new WebMetrics(ctx);
    this.chat = new WebChat(config, ctx, this.metrics);
    // Watches of web users who had no presence yet become subscriptions on their first publish.
    this.chat.onFirstPublish = (p, sessions) => {
      for (const s of sessions) if (s.isOpen && s.watches.has(p)) void subscribe(this.chat, s, p);
    };
  }

  /** Where the HTTP server listens, once started (port 0 in the configuration picks one). */
  get address(): { host: string; port: number } | null {
    return this.bound === null ? null : { host: this.bound.address, port: this.bound.port };
  }

  /** For the operations endpoint (`cpim_adapter_connections`): open WebSocket connections. */
  stats(): AdapterStats {
    return { connections: this.chat.sessions.size };
  }

  /**
   * A reload (docs/operations-reload.md, reconfigure.ts): new credentials in place, true; any
   * other change, false (the gateway restarts this adapter alone). Tabs of users whose fixed
   * token was removed are closed (4003); everyone else stays.
   */
  reconfigure(section: unknown): boolean {
    const next = section as WebSocketConfig;
    if (!onlyCredentialsChanged(this.config, next)) return false;
    const tokens = new TokenVerifier(next.auth);
    const revoked = revokedUsers(this.config, next);
    const before = new Set(this.config.auth.tokens.map((t) => t.user));
    this.tokens = tokens;
    this.config = next;
    this.chat.setConfiguredUsers(tokens.configuredUsers);
    for (const s of this.chat.sessions)
      if (s.user !== null && revoked.has(s.user)) {
        this.ctx.log.warn({ user: s.user }, 'web user token removed by a reload, connection closed');
        s.close(CLOSE.authFailures, 'token revoked');
      }
    // New users with a fixed token exist before they first sign in, as at start.
    if (this.server !== null)
      for (const u of tokens.configuredUsers) if (!before.has(u)) void this.chat.publish(this.chat.user(u));
    return true;
  }

  deliver(op: Operation): Promise<Answer> {
    return Promise.resolve(deliverOperation(this.chat, op));
  }

  async start(): Promise<void> {
    const http = this.config.http;
    const assets = http.page ? await pageAssets() : null;
    await this.chat.loadKnown();
    this.server = new WebServer({
      config: this.config,
      assets,
      metrics: http.metrics ? this.metrics : null,
      health: () => this.health(),
      log: this.ctx.log,
      admit: () => this.chat.sessions.size < this.config.limits.maxConnections,
      onConnection: (ws, req) => this.accept(ws, req.socket),
      upload: new UploadHandler({
        config: () => this.config,
        check: (token) => this.tokens.check(token),
        files: () => this.chat.fileStore(),
        known: this.chat.files,
        log: this.ctx.log,
        attempts: this.ctx.authAttempts?.('web'),
      }),
      imageOrigins: () => this.chat.files.origins(this.chat.fileStore()),
      ...(this.ctx.limits === undefined ? {} : { limits: this.ctx.limits }),
    });
    this.bound = await this.server.listen();
    this.heartbeat = setInterval(() => this.beat(), this.config.heartbeatMs);
    this.heartbeat.unref();

    // Users with configured tokens exist before they first sign in: publish them offline so
    // watchers can subscribe (draft §15: the presentity needs a store).
    await Promise.all(this.tokens.configuredUsers.map((u) => this.chat.publish(this.chat.user(u))));
    this.ctx.log.info(
      { host: this.bound.address, port: this.bound.port, path: http.path },
      'web chat listening',
    );
    this.ctx.setStatus('online');
  }

  stop(deadlineMs: number): Promise<void> {
    this.stopping ??= this.shutdown(deadlineMs);
    return this.stopping;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.chat.signInDeadlines.stop();
    this.chat.expiries.stop();

    const sessions = [...this.chat.sessions];
    for (const s of sessions) s.close(CLOSE.goingAway, 'gateway stopping');
    this.chat.endDeliveries();
    // Give clients a moment to finish the closing handshake, then cut what is left.
    const grace = Math.min(1000, deadlineMs / 2);
    const until = Date.now() + grace;
    while (this.chat.sessions.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.chat.sessions) s.ws.terminate();
    await this.server?.close();
    // The store closes after the adapters: nothing of ours may still be writing to it.
    await this.chat.offlineDelivery.idle();
    this.ctx.setStatus('offline');
  }

  private health(): { ok: boolean; body: unknown } {
    const adapters = this.ctx.health?.() ?? [{ id: this.ctx.id, type: 'websocket', status: 'online' }];
    const ok = adapters.every((a) => a.status === 'online');
    let users = 0;
    for (const u of this.chat.users.values()) if (u.sessions.size > 0) users++;
    return {
      ok,
      body: {
        status: ok ? 'ok' : 'degraded',
        adapters,
        websocket: { connections: this.chat.sessions.size, users },
      },
    };
  }

  private beat(): void {
    for (const s of this.chat.sessions) {
      // No pong since the last ping: the peer is gone without a close (RFC 6455 5.5.2/5.5.3).
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  /**
   * What every session's events do (session-socket.ts): one object for all connections, so an
   * idle connection keeps no closure of its own (issue 18).
   */
  private readonly host: SessionHost = {
    // The boundary of each frame (issue 13): an exception from handling one closes that
    // connection with 1011 (RFC 6455 7.4.1, an unexpected condition) and a warn line; it must
    // not reach ws's socket handler, where it would stop the whole gateway.
    frame: (s, data) => {
      try {
        handleFrame(this.chat, this.tokens, s, data);
      } catch (err) {
        this.ctx.log.warn(
          { user: s.user, ip: s.remoteAddress || undefined, reason: (err as Error).message },
          'websocket frame failed, closed 1011',
        );
        s.close(1011, 'internal error');
      }
    },
    // ws reports protocol violations (such as a frame over maxPayload, closed with 1009) here.
    // The client is told by the close code (1009, 1002); the log says why at warn.
    error: (s, err) =>
      this.ctx.log.warn(
        { user: s.user, ip: s.remoteAddress || undefined, reason: err.message },
        'websocket error',
      ),
    closed: (s, code) => this.closed(s, code),
    overflowed: (s) => this.ctx.log.info({ user: s.user }, 'closing a connection that does not read'),
  };

  private accept(ws: SessionSocket, socket: Duplex): void {
    const s = new Session(ws, this.chat.nextId('w'), this.config.limits, socket, this.host);
    this.chat.sessions.add(s);
    ws.session = s;
    s.deadline = this.chat.signInDeadlines.add(s, this.config.auth.timeoutMs);
  }

  private closed(s: Session, code: number): void {
    const chat = this.chat;
    this.metrics.closes.inc({ code: String(s.closeCode ?? code) });
    chat.sessions.delete(s);
    chat.byToken.delete(s.token);
    s.dispose();
    chat.dropDeliveries(s);
    for (const name of s.rooms) {
      const room = chat.rooms.get(name);
      if (room?.sessions.delete(s)) chat.roster(room);
    }
    if (s.user === null) return;
    // The router ends subscriptions only with the adapter's link, so end this tab's own
    // (draft §11.7: a client MUST unsubscribe before disconnecting).
    for (const w of s.watches.values()) {
      chat.stopWaiting(w.presentity, s);
      if (w.subscribed)
        unsubscribe(chat, s, w.presentity).catch((err: unknown) =>
          this.ctx.log.debug({ err }, 'unsubscribe failed'),
        );
    }
    s.watches.clear();
    const u = chat.user(s.user);
    u.sessions.delete(s);
    if (u.sessions.size > 0) void chat.publish(u);
    else {
      const gone = (): void => chat.forgetIfGone(u);
      void chat.publish(u).then(gone, gone);
    }
  }
}
