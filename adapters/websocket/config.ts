/**
 * The `websocket` adapter's section of gateway.config.yaml (docs/architecture.md part 9: every problem at
 * once with its path, unknown keys are errors, every limit a key with a default; docs/architecture.md part
 * 8: "every input has a limit with a config key and a sane default").
 */
import { z } from 'zod';
import { configFields, parseCheck } from '../../src/index.js';

const { positiveInt, domainName: domain, inboxUri: imUri } = configFields;

/** Web account and room names: lower-case, no dots, so `room.<name>` inboxes never collide. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const name = z.string().regex(NAME_PATTERN, 'lower-case letters, digits, "_" and "-", at most 32');

const sectionSchema = z.strictObject({
  type: z.literal('websocket').describe('the web chat adapter'),
  id: z.string().optional().describe('names this instance (default: its type)'),
  /** Web accounts are im:<user>@<domain>; a domain of its own, not one of gateway.domains. */
  domain: domain
    .prefault('web.localhost')
    .describe("web users' domain (`im:NAME@DOMAIN`): its own, not one of `gateway.domains`"),
  http: z
    .strictObject({
      host: z
        .string()
        .min(1)
        .prefault('127.0.0.1')
        .describe('address the page and the WebSocket are served on'),
      port: z.number().int().min(0).max(65535).prefault(8080).describe('HTTP port (0: any free port)'),
      /** The WebSocket endpoint; the page is `/`, health `/health`, metrics `/metrics`. */
      path: z
        .string()
        .startsWith('/')
        .prefault('/ws')
        .describe('the WebSocket endpoint; the page is `/`, health `/health`, metrics `/metrics`'),
      page: z.boolean().prefault(true).describe('serve the web chat page at `/`'),
      metrics: z.boolean().prefault(true).describe('serve Prometheus metrics at `/metrics`'),
      /**
       * Browser origins allowed to open the WebSocket (RFC 6455 10.2). The page's own origin
       * (Origin host = Host header) is always allowed, and so are clients that send no Origin
       * (non-browser programs). "*" allows every origin.
       */
      allowedOrigins: z
        .array(z.string().min(1))
        .prefault([])
        .describe(
          "extra browser origins allowed to open the WebSocket (`*`: any); the page's own origin and clients without Origin always are",
        ),
      /**
       * A client that has not sent a whole request head by then is answered 408 and closed
       * (RFC 9110 15.5.9; a slowloris client trickling headers), and one whose request is not
       * complete by `requestTimeoutMs` the same (Node's headersTimeout / requestTimeout).
       */
      headersTimeoutMs: positiveInt
        .prefault(10_000)
        .describe('a client that has not sent its whole request head by then is answered 408 and closed'),
      requestTimeoutMs: positiveInt
        .prefault(30_000)
        .describe('a client that has not sent its whole request by then is answered 408 and closed'),
    })
    .refine((h) => h.headersTimeoutMs <= h.requestTimeoutMs, {
      message: 'headersTimeoutMs must not exceed requestTimeoutMs',
      path: ['headersTimeoutMs'],
    })
    .prefault({})
    .describe('the HTTP server: the page, the WebSocket endpoint, health and metrics'),
  auth: z
    .strictObject({
      /** Fixed tokens, one per user (demo and small sites). */
      tokens: z
        .array(
          z.strictObject({
            user: name.describe('the web user name (`im:USER@domain`)'),
            token: z.string().min(16).describe('the token the user signs in with (use `${VAR}`)'),
          }),
        )
        .prefault([])
        .describe('fixed tokens, one per user (demo and small sites)'),
      /** Secret for HS256 JSON Web Tokens an existing site mints (README, "Tokens"; RFC 7518 3.2). */
      hmacSecret: z
        .string()
        .min(32)
        .optional()
        .describe('secret for HS256 JSON Web Tokens an existing site mints (at least 32 characters)'),
      /** Ed25519 public key (PEM, SPKI) for EdDSA-signed tokens (RFC 8037), or a file holding it. */
      publicKey: z
        .string()
        .includes('-----BEGIN PUBLIC KEY-----')
        .optional()
        .describe('Ed25519 public key (PEM) for EdDSA-signed tokens (RFC 8037)'),
      publicKeyFile: z
        .string()
        .min(1)
        .optional()
        .describe('a file holding that key (instead of `publicKey`)'),
      /** A signed token's `aud` must name this (RFC 7519 4.1.3). */
      audience: z.string().min(1).prefault('cpim-gateway').describe("a signed token's `aud` must name this"),
      /** When set, a signed token's `iss` must equal it (RFC 7519 4.1.1). */
      issuer: z.string().min(1).optional().describe("when set, a signed token's `iss` must equal it"),
      /** Clock difference allowed when checking `exp` and `nbf`. */
      clockSkewSeconds: z
        .number()
        .int()
        .min(0)
        .max(600)
        .prefault(30)
        .describe('clock difference allowed when checking `exp` and `nbf`'),
      /** Signed tokens whose `exp` is further out than this are refused (limits stolen tokens). */
      maxTokenLifetimeSeconds: positiveInt
        .prefault(7 * 24 * 3600)
        .describe('signed tokens whose `exp` is further out than this are refused'),
      /** A connection that has not authenticated by then is closed (4001). */
      timeoutMs: positiveInt.prefault(10_000).describe('a connection not signed in by then is closed (4001)'),
      /** Failed `auth` frames before the connection is closed (4003). */
      maxFailures: positiveInt.prefault(3).describe('failed sign-ins before the connection is closed (4003)'),
    })
    .prefault({})
    .describe('how web users sign in: fixed tokens, or signed JSON Web Tokens'),
  limits: z
    .strictObject({
      /** Largest frame; larger ones close the connection with 1009 (RFC 6455 7.4.1). */
      maxFrameBytes: positiveInt
        .prefault(65_536)
        .describe('largest frame; larger ones close the connection with 1009'),
      /** Largest message text in UTF-8 octets; larger sends are answered `quota`. */
      maxTextBytes: positiveInt
        .prefault(16_384)
        .describe('largest message text in UTF-8 octets; larger sends are answered `quota`'),
      /**
       * Messages per second per web user and the burst allowed: a token bucket the router keeps
       * (src/router/sender-rate.ts), in place of the gateway's `limits.perSender` for web users.
       */
      messagesPerSecond: positiveInt
        .prefault(10)
        .describe('sends per second per web user (all their tabs), in place of `limits.perSender`'),
      messageBurst: positiveInt.prefault(20).describe('the burst of sends allowed per web user'),
      /** Any frames per second per connection, and the burst allowed. */
      framesPerSecond: positiveInt.prefault(100).describe('any frames per second per connection'),
      frameBurst: positiveInt.prefault(200).describe('the burst of frames allowed per connection'),
      /** Output queued for a client that does not read; past it the connection is closed (4008). */
      maxBufferedBytes: positiveInt
        .prefault(1_048_576)
        .describe('output queued for a client that does not read; past it the connection is closed (4008)'),
      maxConnections: positiveInt.prefault(1000).describe('open WebSocket connections; beyond it HTTP 503'),
      maxConnectionsPerUser: positiveInt
        .prefault(10)
        .describe("one user's connections (tabs); beyond it closed with 4004"),
      maxWatchesPerConnection: positiveInt.prefault(200).describe('presence watches per connection'),
      /** Presence note length in characters. */
      maxNoteChars: positiveInt.prefault(200).describe('presence note length in characters'),
      /**
       * Web users with no open tab are forgotten (issue 12: no table of everyone who ever signed
       * in); this many names are remembered for this long, so a message to one of them is
       * `no-listeners` rather than `target-not-found`.
       */
      maxOfflineUsers: positiveInt
        .prefault(10_000)
        .describe(
          'web users who left remembered, so a message to them is `no-listeners`, not `target-not-found`',
        ),
      offlineUserMs: positiveInt.prefault(24 * 3600_000).describe('how long such a user is remembered'),
      /**
       * Issue 17: messages remembered (id → author and a 200-character excerpt, in the store's
       * mappings) for the author check of edits and deletions and for reply quotes.
       */
      maxKnownMessages: positiveInt
        .prefault(10_000)
        .describe(
          'messages remembered (author, excerpt) so users edit and delete only their own and replies quote the original',
        ),
    })
    .prefault({})
    .describe('limits per connection, per user and in all'),
  mime: configFields.mimeLimits,
  /**
   * Issue 17: files a signed-in page uploads (POST `/upload`, docs/adapters/web-chat.md
   * "Attachments") into the gateway's file store (`files:`), which must be on.
   */
  uploads: z
    .strictObject({
      enabled: z.boolean().prefault(true).describe('accept uploads at `/upload` (needs the file store)'),
      maxBytes: positiveInt
        .optional()
        .describe("largest upload in octets (absent: the file store's `files.maxBytes`); larger: 413"),
      perMinute: positiveInt.prefault(10).describe('uploads per minute per web user; beyond it 429'),
      perAddressPerMinute: positiveInt
        .prefault(30)
        .describe('uploads per minute per remote address; beyond it 429'),
      concurrentPerUser: positiveInt
        .prefault(2)
        .describe("one web user's uploads in progress at once; beyond it 429"),
      maxPerMessage: positiveInt.prefault(10).describe('attachments one `send` may carry'),
      maxKnownFiles: positiveInt
        .prefault(10_000)
        .describe(
          'links of stored files remembered (uploads, kept parts of incoming messages) so a send names only links of this store',
        ),
    })
    .prefault({})
    .describe('file upload from the page into the gateway file store'),
  /**
   * History of rooms and direct conversations (issue 15, docs/adapters/web-chat.md "History"):
   * read from the gateway's store (`storage:`), which must be on, with `storage.history.enabled`.
   */
  history: z
    .strictObject({
      enabled: z
        .boolean()
        .prefault(true)
        .describe('keep direct conversations of web users and serve `history` (needs `storage.history`)'),
      onJoin: z
        .number()
        .int()
        .min(0)
        .max(1000)
        .prefault(50)
        .describe("a room's last messages sent when a page joins it (0: none)"),
      pageSize: positiveInt
        .prefault(50)
        .describe('messages per `history` answer when the request names no `limit`'),
      maxPageSize: positiveInt
        .prefault(200)
        .describe('most messages per `history` answer (a larger `limit` is capped)'),
      maxCatchUp: positiveInt
        .prefault(500)
        .describe(
          'most messages a reconnecting page catches up with; past it the page is reset to the latest',
        ),
      maxReplyBytes: positiveInt
        .prefault(262_144)
        .describe('most text octets in one `history` answer (older messages are left for the next page)'),
    })
    .prefault({})
    .describe('room and direct-conversation history for the page'),
  /**
   * Offline delivery to web users (issue 15): a message to a known web user with no open tab is
   * kept in the store and delivered when they next sign in. `storage.offline` must be on too; its
   * `maxAgeMs` and `maxPerInbox` apply, and the router's expiry timer reports what expires.
   */
  offline: z
    .strictObject({
      enabled: z
        .boolean()
        .prefault(true)
        .describe('keep messages for web users with no open tab (needs `storage.offline.enabled`)'),
      exclude: z
        .array(name)
        .prefault([])
        .describe('web users whose messages are never kept (they are answered `no-listeners` when away)'),
      drainBatch: positiveInt
        .prefault(100)
        .describe('kept messages read from the store at a time when a user signs in'),
    })
    .prefault({})
    .describe('offline delivery to web users'),
  /** Ping interval; a connection that has not answered the previous ping is dropped. */
  heartbeatMs: positiveInt
    .prefault(30_000)
    .describe('ping interval; a connection that has not answered the previous ping is dropped'),
  /** How long a delivered message waits for the browser's `ack` before `ok` + `Unreliable`. */
  deliveryTimeoutMs: positiveInt
    .prefault(5_000)
    .describe("how long a delivered message waits for the page's `ack` before `ok` with `Unreliable`"),
  rooms: z
    .array(
      z.strictObject({
        /** The web room's name; its member inbox in the gateway room is im:room.<name>@<domain>. */
        name: name.describe(
          "the web room's name; its member inbox in the gateway room is `im:room.NAME@domain`",
        ),
        /** The gateway room (`rooms:` in gateway.config.yaml) it bridges to. */
        address: imUri.describe('the gateway room (`rooms`) it bridges to'),
        /** Web users who may join; absent = every signed-in user. */
        members: z.array(name).optional().describe('web users who may join (none: every signed-in user)'),
        title: z.string().max(100).optional().describe('the title the page shows'),
      }),
    )
    .prefault([])
    .describe('rooms shown on the page, each bridged to a gateway room'),
});

/** The section, with checks across entries: room names and token users appear once. */
export const websocketConfigSchema = sectionSchema.superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.rooms.forEach((r, i) => {
    if (seen.has(r.name))
      ctx.addIssue({ code: 'custom', path: ['rooms', i, 'name'], message: 'listed twice' });
    seen.add(r.name);
  });
  if (c.auth.publicKey !== undefined && c.auth.publicKeyFile !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'publicKeyFile'],
      message: 'give publicKey or publicKeyFile, not both',
    });
  const users = new Set<string>();
  c.auth.tokens.forEach((t, i) => {
    if (users.has(t.user))
      ctx.addIssue({ code: 'custom', path: ['auth', 'tokens', i, 'user'], message: 'has two tokens' });
    users.add(t.user);
  });
});

export type WebSocketConfig = z.output<typeof websocketConfigSchema>;
export type WebRoomConfig = WebSocketConfig['rooms'][number];

export function parseWebSocketConfig(raw: unknown): WebSocketConfig {
  return parseCheck(websocketConfigSchema, raw, 'adapters[websocket]');
}
