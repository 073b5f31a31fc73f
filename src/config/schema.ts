/**
 * The schema of gateway.config.yaml (docs/architecture.md part 9): every key has a default, so an empty
 * file (or none) runs a useful gateway on loopback; unknown keys are errors, so a typo never
 * silently falls back to a default. Each adapter's own section is checked by its definition's
 * `parseConfig` (src/adapter.ts), not here.
 */
import { z } from 'zod';
import { port, host, positiveInt, domainName as domain, inboxUri } from './fields.js';
import { DEFAULT_PAYLOAD_LIMITS } from '../policy/size-limits.js';
import { limitsSchema } from './limits-schema.js';
import { adminSchema } from './admin-schema.js';

/** TLS material for a listener or an outbound link. Paths are read when the gateway starts. */
export const tlsSchema = z.strictObject({
  cert: z.string().min(1).describe('PEM certificate chain file'),
  key: z.string().min(1).describe('PEM private key file'),
  ca: z.string().min(1).optional().describe('PEM CA bundle used to verify client certificates'),
  /** Ask clients for a certificate, so SASL EXTERNAL can use it. */
  requestClientCert: z.boolean().prefault(false),
});

const listenerSchema = (defaultPort: number) =>
  z.strictObject({
    enabled: z.boolean().prefault(true),
    host: host.prefault('127.0.0.1'),
    port: port.prefault(defaultPort),
    /** Implicit TLS on this listener (the draft has no STARTTLS; docs/hub-protocol.md part 4 row 2). */
    tls: tlsSchema.optional(),
  });

export const accountSchema = z
  .strictObject({
    /** SASL authentication identity (authcid) for PLAIN, or the certificate name for EXTERNAL. */
    user: z.string().min(1),
    password: z.string().min(1).optional(),
    /** A client account: the im:/pres: identities it may speak for (draft §8.1); patterns allowed. */
    identities: z.array(z.string().min(1)).min(1).optional(),
    /** A peer gateway's account: the domain it speaks for (draft §8.1, server to server). */
    peerDomain: domain.optional(),
  })
  .refine((a) => (a.identities === undefined) !== (a.peerDomain === undefined), {
    message: 'an account has either `identities` (a client) or `peerDomain` (a peer gateway)',
  });

/** Limits of the hub protocol engine (docs/hub-protocol.md part 4 rows 14 and 26). */
export const hubLimitsSchema = z.strictObject({
  maxLineBytes: positiveInt.prefault(8192),
  // The frame layer's defaults (DEFAULT_FRAME_LIMITS): Orig-Inbox lists can be long.
  maxHeaders: positiveInt.prefault(1000),
  maxHeaderBytes: positiveInt.prefault(131072),
  maxImPayloadBytes: positiveInt.prefault(DEFAULT_PAYLOAD_LIMITS.maxMessageBytes),
  maxPresencePayloadBytes: positiveInt.prefault(DEFAULT_PAYLOAD_LIMITS.maxPresenceBytes),
  maxIdLength: positiveInt.max(1024).prefault(64),
  maxConnections: positiveInt.prefault(1024),
  maxOutstandingCommands: positiveInt.prefault(256),
  /** IMTP listens and PITP subscriptions per connection, answered `quota` beyond (issue 12). */
  maxListensPerConnection: positiveInt.prefault(1024),
  maxSubscriptionsPerConnection: positiveInt.prefault(1024),
  commandTimeoutMs: positiveInt.prefault(30000),
  keepaliveMs: positiveInt.prefault(60000),
  authTimeoutMs: positiveInt.prefault(30000),
  maxAuthFailures: positiveInt.prefault(3),
  /** Output queued for a peer that does not read before its connection is closed ("peer not reading"). */
  maxBufferedOutputBytes: positiveInt.prefault(1048576),
});

export const hubSchema = z.strictObject({
  imtp: listenerSchema(7410).prefault({}),
  pitp: listenerSchema(7411).prefault({}),
  sasl: z
    .strictObject({
      mechanisms: z.array(z.enum(['PLAIN', 'EXTERNAL', 'ANONYMOUS'])).prefault(['PLAIN', 'EXTERNAL']),
      /** PLAIN sends the password in the clear; without TLS it is refused unless this is set. */
      allowPlainWithoutTls: z.boolean().prefault(false),
      /** ANONYMOUS is off by default (issue: hub protocol, SASL). */
      allowAnonymous: z.boolean().prefault(false),
    })
    .prefault({}),
  accounts: z.array(accountSchema).prefault([]),
  limits: hubLimitsSchema.prefault({}),
});

export const adapterEntrySchema = z
  .looseObject({
    type: z.string().min(1),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-"')
      .optional(),
  })
  .describe('checked further by the adapter type named in `type`');

/** A room (docs/architecture.md part 7): a configured set of member inboxes, local or on peer gateways. */
export const roomSchema = z.strictObject({
  name: z.string().min(1),
  /** The room's own inbox, in a domain this gateway serves. */
  address: inboxUri,
  members: z.array(inboxUri).min(1),
  /** Accept messages from non-members too (default: members only). */
  open: z.boolean().prefault(false),
});

const strength = z.enum(['none', 'weak', 'medium', 'strong']);

/**
 * TLS of an outbound peer link (implicit TLS, docs/hub-protocol.md part 4 row 2). PEM file paths,
 * read when the gateway starts. `verify` checks the peer's certificate against `ca` (else the
 * system roots) and `servername` (else the host / SRV target name).
 */
export const peerTlsSchema = z
  .strictObject({
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional().describe('client certificate (PEM), for SASL EXTERNAL'),
    key: z.string().min(1).optional(),
    servername: z.string().min(1).optional(),
    verify: z.boolean().prefault(true),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: '`cert` and `key` go together',
  });

/**
 * How we authenticate on a link we open (draft §14.1). Part 4 row 13: inter-domain commands go
 * only on connections we initiated and authenticated, so a peer link always authenticates.
 */
export const peerSaslSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({ mechanism: z.literal('PLAIN'), user: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({ mechanism: z.literal('EXTERNAL'), authzid: z.string().min(1).optional() }),
]);

const peerPortsSchema = z.strictObject({ imtp: port.optional(), pitp: port.optional() });

/** A static peer gateway: the server for `domains` (draft §6.3 lets a site configure these). */
export const peerSchema = z
  .strictObject({
    /** Domains this peer is the server for; the first names it (Error-Originator, logs). */
    domains: z.array(domain).min(1),
    host,
    /** Default `federation.ports`. */
    ports: peerPortsSchema.prefault({}),
    tls: peerTlsSchema.optional(),
    sasl: peerSaslSchema,
    /** Refuse commands for these domains whose Astrength is lower (draft §11.4 MAY). */
    minStrength: strength.optional(),
  })
  .refine((p) => p.sasl.mechanism !== 'EXTERNAL' || p.tls?.cert !== undefined, {
    message: 'SASL EXTERNAL needs a client certificate (`tls.cert` and `tls.key`)',
    path: ['sasl'],
  });

/** `host`, `host:port`, `[v6]:port`: a DNS server for node:dns `setServers`. */
const dnsServer = z
  .string()
  .regex(
    /^(?:\[[0-9A-Fa-f:.]+\](?::\d{1,5})?|[0-9A-Fa-f:]+|[A-Za-z0-9.-]+(?::\d{1,5})?)$/,
    'not host[:port]',
  );

/** Federation: how foreign domains are reached (draft §6.3, RFC 3861, part 4 rows 13-14, §7). */
export const federationSchema = z.strictObject({
  /** Default ports of foreign hub servers (the draft leaves them "XXX", part 4 row 1). */
  ports: z.strictObject({ imtp: port.prefault(7410), pitp: port.prefault(7411) }).prefault({}),
  dns: z
    .strictObject({
      /** Look up domains that no peer entry names: SRV `_im-servers._tcp` / `_presence-servers._tcp`. */
      enabled: z.boolean().prefault(false),
      /** DNS servers (`host[:port]`); empty = the system's. */
      servers: z.array(dnsServer).prefault([]),
      timeoutMs: positiveInt.prefault(3000),
      /** How long a lookup result is reused. */
      cacheSeconds: z.number().int().min(0).prefault(300),
      /** SRV targets tried per connection attempt (RFC 3861 §6: at least two). */
      maxTargets: z.number().int().min(2).max(16).prefault(4),
      /** TLS and SASL for links to discovered servers. */
      tls: peerTlsSchema.optional(),
      sasl: peerSaslSchema.optional(),
      minStrength: strength.optional(),
    })
    .refine((d) => !d.enabled || d.sasl !== undefined, {
      message: 'discovered peers need `sasl` (inter-domain links authenticate, part 4 row 13)',
      path: ['sasl'],
    })
    .prefault({}),
  /** Reconnecting a failed link: exponential backoff with jitter between these bounds. */
  reconnect: z
    .strictObject({ initialDelayMs: positiveInt.prefault(250), maxDelayMs: positiveInt.prefault(30000) })
    .prefault({}),
  /** An idle link (no command for this long and none outstanding, draft §7) is closed. */
  idleCloseMs: positiveInt.prefault(300000),
});

export const configSchema = z.strictObject({
  gateway: z
    .strictObject({
      /** Domains this gateway is home for (draft §4). */
      domains: z.array(domain).min(1).prefault(['localhost']),
      /** Token this gateway adds to Visited (draft §16.2); the first domain when absent. */
      visitedToken: domain.optional(),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).prefault('info'),
    })
    .prefault({}),
  /**
   * Identity (docs/architecture.md part 8): an inner Message/CPIM From naming someone other than
   * the authenticated sender is shown after the real one, `alice (as "Bob")`, or refused with
   * `source-authorization`.
   */
  identity: z.strictObject({ mismatchedFrom: z.enum(['show', 'refuse']).prefault('show') }).prefault({}),
  hub: hubSchema.prefault({}),
  rooms: z.array(roomSchema).prefault([]),
  peers: z.array(peerSchema).prefault([]),
  federation: federationSchema.prefault({}),
  adapters: z.array(adapterEntrySchema).prefault([]),
  limits: limitsSchema.prefault({}),
  admin: adminSchema.prefault({}),
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
