/**
 * The federation part of gateway.config.yaml (docs/federation.md): static peers (`peers:`) and
 * the `federation:` section (discovery, reconnects, links). Split from schema.ts, which includes
 * both; every key has a `.describe()` text for docs/configuration.md.
 */
import { z } from 'zod';
import { port, host, positiveInt, domainName as domain } from './fields.js';

const strength = z.enum(['none', 'weak', 'medium', 'strong']);

/**
 * TLS of an outbound peer link (implicit TLS, docs/hub-protocol.md part 4 row 2). PEM file paths,
 * read when the gateway starts. `verify` checks the peer's certificate against `ca` (else the
 * system roots) and `servername` (else the host / SRV target name).
 */
export const peerTlsSchema = z
  .strictObject({
    ca: z
      .string()
      .min(1)
      .optional()
      .describe("PEM CA file to verify the peer's certificate (else the system roots)"),
    cert: z.string().min(1).optional().describe('client certificate (PEM), for SASL EXTERNAL'),
    key: z.string().min(1).optional().describe("the client certificate's private key (PEM)"),
    servername: z
      .string()
      .min(1)
      .optional()
      .describe('the name to verify in the certificate (else the host or SRV target)'),
    verify: z.boolean().prefault(true).describe("verify the peer's certificate"),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: '`cert` and `key` go together',
  });

/**
 * How we authenticate on a link we open (draft §14.1). Part 4 row 13: inter-domain commands go
 * only on connections we initiated and authenticated, so a peer link always authenticates.
 */
export const peerSaslSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({
    mechanism: z.literal('PLAIN').describe('how we log in: `PLAIN` (user, password) or `EXTERNAL`'),
    user: z.string().min(1).describe('our account on the peer'),
    password: z.string().min(1).describe('its password (use `${VAR}`)'),
  }),
  z.strictObject({
    mechanism: z.literal('EXTERNAL'),
    authzid: z.string().min(1).optional().describe('authorization identity to ask for'),
  }),
]);

const peerPortsSchema = z.strictObject({
  imtp: port.optional().describe("the peer's IMTP port (default `federation.ports.imtp`)"),
  pitp: port.optional().describe("the peer's PITP port (default `federation.ports.pitp`)"),
});

/** A static peer gateway: the server for `domains` (draft §6.3 lets a site configure these). */
export const peerSchema = z
  .strictObject({
    /** Domains this peer is the server for; the first names it (Error-Originator, logs). */
    domains: z
      .array(domain)
      .min(1)
      .describe('the foreign domains this peer is the server for; the first names the peer'),
    host: host.describe("host name or address of the peer's hub listeners"),
    /** Default `federation.ports`. */
    ports: peerPortsSchema.prefault({}).describe("the peer's ports"),
    tls: peerTlsSchema.optional().describe('implicit TLS to the peer (none: plain TCP)'),
    sasl: peerSaslSchema.describe('how we authenticate on the link (inter-domain links always do)'),
    /** Refuse commands for these domains whose Astrength is lower (draft §11.4 MAY). */
    minStrength: strength.optional().describe('refuse commands to these domains whose Astrength is lower'),
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
  ports: z
    .strictObject({
      imtp: port.prefault(7410).describe('IMTP port of foreign hub servers'),
      pitp: port.prefault(7411).describe('PITP port of foreign hub servers'),
    })
    .prefault({})
    .describe('default ports of foreign hub servers (peers without `ports`, DNS A-record fallback)'),
  dns: z
    .strictObject({
      /** Look up domains that no peer entry names: SRV `_im-servers._tcp` / `_presence-servers._tcp`. */
      enabled: z
        .boolean()
        .prefault(false)
        .describe(
          'find servers of domains no peer names through DNS SRV `_im-servers._tcp` / `_presence-servers._tcp`',
        ),
      /** DNS servers (`host[:port]`); empty = the system's. */
      servers: z
        .array(dnsServer)
        .prefault([])
        .describe("DNS servers to ask, `host[:port]`; empty: the system's"),
      timeoutMs: positiveInt.prefault(3000).describe('time allowed per DNS query'),
      /** How long a lookup result is reused. */
      cacheSeconds: z.number().int().min(0).prefault(300).describe('how long a lookup result is reused'),
      /** SRV targets tried per connection attempt (RFC 3861 §6: at least two). */
      maxTargets: z
        .number()
        .int()
        .min(2)
        .max(16)
        .prefault(4)
        .describe('SRV targets tried per connection attempt (RFC 3861 §6: at least two)'),
      /** TLS and SASL for links to discovered servers. */
      tls: peerTlsSchema.optional().describe('TLS for links to discovered servers, as for a peer'),
      sasl: peerSaslSchema
        .optional()
        .describe('SASL for links to discovered servers (required when enabled)'),
      minStrength: strength.optional().describe('as for a peer, for discovered domains'),
    })
    .refine((d) => !d.enabled || d.sasl !== undefined, {
      message: 'discovered peers need `sasl` (inter-domain links authenticate, part 4 row 13)',
      path: ['sasl'],
    })
    .prefault({})
    .describe('DNS SRV discovery of foreign servers (RFC 3861)'),
  /** Reconnecting a failed link: exponential backoff with jitter between these bounds. */
  reconnect: z
    .strictObject({
      initialDelayMs: positiveInt.prefault(250).describe('first wait after a failed connection attempt'),
      maxDelayMs: positiveInt.prefault(30000).describe('longest wait (it doubles per failure, with jitter)'),
    })
    .prefault({})
    .describe('reconnecting a failed peer link: exponential backoff with jitter'),
  /**
   * Issue 19: fair share of a peer link's command window (`hub.limits.maxOutstandingCommands`):
   * unanswered commands one source may have on one link; beyond it that source alone gets
   * `resources` (src/federation/link-share.ts).
   */
  perSourceOutstanding: positiveInt
    .prefault(64)
    .describe(
      "unanswered commands one source (the author of a send, or a PITP command's source) may have on one peer link; beyond it that source alone is answered `resources`",
    ),
  /** An idle link (no command for this long and none outstanding, draft §7) is closed. */
  idleCloseMs: positiveInt
    .prefault(300000)
    .describe('a peer link with no command for this long, and none unanswered, is closed'),
});
