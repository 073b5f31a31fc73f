/**
 * The schema of gateway.config.yaml (docs/architecture.md part 9): every key has a default, so an empty
 * file runs the hub on loopback (no file at all runs the demo, src/config/demo.ts); unknown keys
 * are errors, so a typo never silently falls back to a default. Each adapter's own section is
 * checked by its definition's `parseConfig` (src/adapter.ts), not here. Every key has a
 * `.describe()` text: docs/configuration.md is generated from them (scripts/config-doc.ts).
 */
import { z } from 'zod';
import { port, host, positiveInt, domainName as domain, inboxUri } from './fields.js';
import { DEFAULT_PAYLOAD_LIMITS } from '../policy/size-limits.js';
import { limitsSchema } from './limits-schema.js';
import { adminSchema } from './admin-schema.js';
import { storageSchema } from './storage-schema.js';
import { opsSchema } from './ops-schema.js';
import { filesSchema } from './files-schema.js';

/** TLS material for a listener or an outbound link. Paths are read when the gateway starts. */
export const tlsSchema = z.strictObject({
  cert: z.string().min(1).describe('PEM certificate chain file'),
  key: z.string().min(1).describe('PEM private key file'),
  ca: z.string().min(1).optional().describe('PEM CA bundle used to verify client certificates'),
  /** Ask clients for a certificate, so SASL EXTERNAL can use it. */
  requestClientCert: z
    .boolean()
    .prefault(false)
    .describe('ask clients for a certificate, so SASL EXTERNAL can use it'),
});

const listenerSchema = (defaultPort: number) =>
  z.strictObject({
    enabled: z.boolean().prefault(true).describe('open this listener'),
    host: host.prefault('127.0.0.1').describe('address to listen on (0.0.0.0 or :: for every interface)'),
    port: port.prefault(defaultPort).describe('TCP port (0: any free port)'),
    /** Implicit TLS on this listener (the draft has no STARTTLS; docs/hub-protocol.md part 4 row 2). */
    tls: tlsSchema
      .optional()
      .describe('implicit TLS on this listener (the draft has no STARTTLS); PEM file paths, read at start'),
  });

export const accountSchema = z
  .strictObject({
    /** SASL authentication identity (authcid) for PLAIN, or the certificate name for EXTERNAL. */
    user: z
      .string()
      .min(1)
      .describe('SASL authentication identity: the PLAIN user name, or the certificate name for EXTERNAL'),
    password: z.string().min(1).optional().describe('PLAIN password (use `${VAR}`); none: EXTERNAL only'),
    /** A client account: the im:/pres: identities it may speak for (draft §8.1); patterns allowed. */
    identities: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('a client account: the im:/pres: addresses (or patterns) it may speak and listen for'),
    /** A peer gateway's account: the domain it speaks for (draft §8.1, server to server). */
    peerDomain: domain
      .optional()
      .describe("a peer gateway's account: the domain it speaks for (instead of `identities`)"),
    /** Issue 15: keep messages for this account's inboxes while nobody listens (docs/gateway.md). */
    // Optional rather than prefaulted, so account literals in code need not name it: absent is on.
    offline: z
      .boolean()
      .optional()
      .describe(
        'default `true`: keep messages for the inboxes of this account while nobody listens on them, and deliver them when one of its connections does (with `storage.offline.enabled`)',
      ),
  })
  .refine((a) => (a.identities === undefined) !== (a.peerDomain === undefined), {
    message: 'an account has either `identities` (a client) or `peerDomain` (a peer gateway)',
  });

/** Limits of the hub protocol engine (docs/hub-protocol.md part 4 rows 14 and 26). */
export const hubLimitsSchema = z.strictObject({
  maxLineBytes: positiveInt.prefault(8192).describe('longest command, response or header line'),
  // The frame layer's defaults (DEFAULT_FRAME_LIMITS): Orig-Inbox lists can be long.
  maxHeaders: positiveInt.prefault(1000).describe('most headers in one command or response'),
  maxHeaderBytes: positiveInt.prefault(131072).describe('most header octets in one command or response'),
  maxImPayloadBytes: positiveInt
    .prefault(DEFAULT_PAYLOAD_LIMITS.maxMessageBytes)
    .describe('largest IMTP payload'),
  maxPresencePayloadBytes: positiveInt
    .prefault(DEFAULT_PAYLOAD_LIMITS.maxPresenceBytes)
    .describe('largest PITP payload'),
  maxIdLength: positiveInt.max(1024).prefault(64).describe('longest command id'),
  maxConnections: positiveInt.prefault(1024).describe('connections per listener'),
  maxOutstandingCommands: positiveInt
    .prefault(256)
    .describe('unanswered commands per connection, each way; beyond it commands are answered `resources`'),
  /** IMTP listens and PITP subscriptions per connection, answered `quota` beyond (issue 12). */
  maxListensPerConnection: positiveInt
    .prefault(1024)
    .describe('inboxes one connection listens on (IMTP `listen`); beyond it `quota`'),
  maxSubscriptionsPerConnection: positiveInt
    .prefault(1024)
    .describe(
      'presentities one client connection subscribes to (PITP `subscribe`), here or (a client) at other domains, and each user of an adapter (web, XMPP) subscribes to here; beyond it `quota`',
    ),
  commandTimeoutMs: positiveInt
    .prefault(30000)
    .describe('a command unanswered this long fails with `communications`'),
  keepaliveMs: positiveInt.prefault(60000).describe('idle time before a `=nop` keepalive'),
  authTimeoutMs: positiveInt
    .prefault(30000)
    .describe(
      'a connection that has not finished SASL this long after it opened is closed; also the TLS handshake timeout and the client connect-and-authenticate timeout',
    ),
  maxAuthFailures: positiveInt.prefault(3).describe('failed SASL exchanges before the connection is closed'),
  /** Output queued for a peer that does not read before its connection is closed ("peer not reading"). */
  maxBufferedOutputBytes: positiveInt
    .prefault(1048576)
    .describe('output queued for a peer that does not read; past it the connection is closed'),
});

export const hubSchema = z.strictObject({
  imtp: listenerSchema(7410)
    .prefault({})
    .describe('the IMTP listener (instant messages; the draft leaves the port open, 7410 is ours)'),
  pitp: listenerSchema(7411).prefault({}).describe('the PITP listener (presence)'),
  sasl: z
    .strictObject({
      mechanisms: z
        .array(z.enum(['PLAIN', 'EXTERNAL', 'ANONYMOUS']))
        .prefault(['PLAIN', 'EXTERNAL'])
        .describe('SASL mechanisms offered'),
      /** PLAIN sends the password in the clear; without TLS it is refused unless this is set. */
      allowPlainWithoutTls: z
        .boolean()
        .prefault(false)
        .describe('allow PLAIN on a listener without TLS (it sends the password in the clear)'),
      /** ANONYMOUS is off by default (issue: hub protocol, SASL). */
      allowAnonymous: z
        .boolean()
        .prefault(false)
        .describe('offer ANONYMOUS (it must also be in `mechanisms`); its connections have Astrength `none`'),
    })
    .prefault({})
    .describe('authentication of hub connections (draft §8.1)'),
  accounts: z
    .array(accountSchema)
    .prefault([])
    .describe('who may log in, and which addresses each may speak for'),
  limits: hubLimitsSchema.prefault({}).describe('limits of the hub protocol engine'),
});

export const adapterEntrySchema = z
  .looseObject({
    type: z.string().min(1).describe('the adapter type: `websocket`, `email` or `irc`'),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-"')
      .optional()
      .describe('names this instance in logs and errors (default: its type); unique'),
  })
  .describe('checked further by the adapter type named in `type`');

/** A room (docs/architecture.md part 7): a configured set of member inboxes, local or on peer gateways. */
export const roomSchema = z.strictObject({
  name: z.string().min(1).describe('the room name, for logs'),
  /** The room's own inbox, in a domain this gateway serves. */
  address: inboxUri.describe("the room's own inbox, in a domain this gateway serves"),
  members: z
    .array(inboxUri)
    .min(1)
    .describe('member inboxes, local or on peer gateways: a message from one goes to every other'),
  /** Accept messages from non-members too (default: members only). */
  open: z.boolean().prefault(false).describe('accept messages from non-members too'),
});

export { federationSchema, peerSaslSchema, peerSchema, peerTlsSchema } from './federation-schema.js';
import type { peerSaslSchema, peerTlsSchema } from './federation-schema.js';
import { federationSchema, peerSchema } from './federation-schema.js';

export const configSchema = z.strictObject({
  gateway: z
    .strictObject({
      /** Domains this gateway is home for (draft §4). */
      domains: z
        .array(domain)
        .min(1)
        .prefault(['localhost'])
        .describe('domains this gateway is home for (`im:NAME@DOMAIN`, `pres:NAME@DOMAIN`)'),
      /** Token this gateway adds to Visited (draft §16.2); the first domain when absent. */
      visitedToken: domain
        .optional()
        .describe('the token this gateway adds to IMTP `Visited` (default: the first domain)'),
    })
    .prefault({})
    .describe('who this gateway is'),
  log: z
    .strictObject({
      level: z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .prefault('info')
        .describe('the least severe level logged; `trace` adds wire traces'),
      /**
       * How log lines look (issue 14): `pretty` text for a person, `json` lines for machines,
       * `auto` pretty when standard output is a terminal. `start --log-format` overrides it.
       */
      format: z
        .enum(['auto', 'json', 'pretty'])
        .prefault('auto')
        .describe(
          'how log lines look: pretty (one readable line per event, for a person), json (one JSON object per line, for machines), or auto: pretty when standard output is a terminal, else json; `start --log-format` overrides it',
        ),
    })
    .prefault({})
    .describe('logging (pino: JSON lines on standard output)'),
  /**
   * Identity (docs/architecture.md part 8): an inner Message/CPIM From naming someone other than
   * the authenticated sender is shown after the real one, `alice (as "Bob")`, or refused with
   * `source-authorization`.
   */
  identity: z
    .strictObject({
      mismatchedFrom: z
        .enum(['show', 'refuse'])
        .prefault('show')
        .describe(
          'an inner Message/CPIM `From` that is not the authenticated sender: `show` it after the real author, or `refuse` the send with `source-authorization`',
        ),
    })
    .prefault({})
    .describe('the author shown is the authenticated source'),
  hub: hubSchema
    .prefault({})
    .describe('the hub: IMTP and PITP listeners (draft-hudson-impp-transfer-proposal-01), SASL, accounts'),
  rooms: z
    .array(roomSchema)
    .prefault([])
    .describe('rooms: a message to the room, or from one member, goes to every other member'),
  peers: z
    .array(peerSchema)
    .prefault([])
    .describe('static peer gateways: the servers of foreign domains (draft §6.3)'),
  federation: federationSchema.prefault({}).describe('how foreign domains are reached'),
  adapters: z
    .array(adapterEntrySchema)
    .prefault([])
    .describe('adapter instances, each `{type, id?, ...}` checked by its type'),
  limits: limitsSchema
    .prefault({})
    .describe(
      'policy the core enforces for every entry point (hub clients, peers, adapters) and table bounds',
    ),
  ops: opsSchema.prefault({}).describe('the operations endpoints: /health, /ready, /metrics'),
  admin: adminSchema.prefault({}).describe('the local admin socket that `cpim-gateway reload` talks to'),
  storage: storageSchema.prefault({}).describe('durable state (issue 15): SQLite by default, or PostgreSQL'),
  files: filesSchema.prefault({}).describe('the file store and its HTTP server (issue 17, docs/files.md)'),
});

export type GatewayConfig = z.output<typeof configSchema>;
export type HubConfig = GatewayConfig['hub'];
export type HubLimits = HubConfig['limits'];
export type TlsConfig = z.output<typeof tlsSchema>;
export type AccountConfig = z.output<typeof accountSchema>;
export type RoomConfigEntry = z.output<typeof roomSchema>;
export type PeerConfig = z.output<typeof peerSchema>;
export type PeerTlsConfig = z.output<typeof peerTlsSchema>;
export type PeerSaslConfig = z.output<typeof peerSaslSchema>;
export type FederationConfig = z.output<typeof federationSchema>;
export type OpsConfig = z.output<typeof opsSchema>;
export type { FilesConfig } from './files-schema.js';
