/**
 * The `limits:` section (issue 12, docs/architecture.md part 8): the gateway-wide policy the core enforces
 * for every entry point (hub clients, peers, adapters' users), and the bounds of long-lived
 * tables. The hub's frame limits stay under `hub.limits` (they belong to the wire layer).
 */
import { z } from 'zod';
import { nonNegativeInt, positiveInt } from './fields.js';

const rate = z.number().positive();

export const limitsSchema = z.strictObject({
  /**
   * Messages (IMTP send) per sender, enforced in the router: a token bucket of `burst`, refilled
   * at `messagesPerSecond`; over it the send is answered `quota` (draft §12). An adapter may
   * set its own rate for its users (email `inbound.rate`, websocket `limits.messagesPerSecond`).
   */
  perSender: z
    .strictObject({
      messagesPerSecond: rate.prefault(20).describe("refill rate of each sender's token bucket"),
      burst: positiveInt.prefault(100).describe("size of each sender's token bucket"),
      /** Senders tracked at once; the longest quiet ones are forgotten first. */
      maxSenders: positiveInt
        .prefault(100_000)
        .describe('senders tracked at once; the one quiet longest is forgotten first'),
    })
    .prefault({})
    .describe(
      'messages (IMTP send) per sender, a token bucket the router keeps for every entry point; over it the send is answered `quota`',
    ),
  /**
   * Presence stores of adapter users who left (closed, unwatched) kept in the router; past it the
   * least recently changed one is forgotten (src/router/idle-stores.ts).
   */
  maxIdlePresentities: positiveInt
    .prefault(100_000)
    .describe(
      'presence stores of adapter users who left (closed, unwatched) kept; past it the least recently changed is forgotten',
    ),
  /**
   * Issue 19: the presence bounds of peer gateways (a peer multiplexes many watchers on one
   * connection, so the per-connection bound of `hub.limits` does not apply to it; these do).
   */
  peers: z
    .strictObject({
      maxSubscriptions: positiveInt
        .prefault(10_000)
        .describe('presence subscriptions one peer domain holds at presentities here; beyond it `quota`'),
      maxSubscriptionsPerPresentity: positiveInt
        .prefault(256)
        .describe('subscriptions one peer domain holds to one presentity here; beyond it `quota`'),
      dropSubscriptionsAfterMs: positiveInt
        .prefault(86_400_000)
        .describe(
          "a peer's subscriptions end (its watchers get `terminate-notify`) once no PITP connection from it has been open for this long (24 h)",
        ),
    })
    .prefault({})
    .describe('presence bounds of each peer gateway, answered `quota` (docs/federation.md)'),
  /** Issue 19: a start-wi answer lists at most this many subscriptions (docs/hub-protocol.md part 4). */
  maxWatcherInfoListed: positiveInt
    .prefault(512)
    .describe('Subscription headers in one `start-wi` answer; the rest are counted in a `Wi-Omitted` header'),
  /** At most one warn line per this interval per kind of refusal (the rest are counted). */
  warnIntervalMs: positiveInt
    .prefault(10_000)
    .describe('at most one `warn` line per interval for rate and quota refusals; the rest are counted'),
  /**
   * Open connections per remote address (IPv4 address, IPv6 /64) on each listener: hub IMTP and
   * PITP, the email adapter's SMTP, the web adapter's HTTP/WebSocket (issue 13).
   */
  connectionsPerAddress: positiveInt
    .prefault(64)
    .describe(
      'open connections per IPv4 address or IPv6 /64 on each listener (hub, SMTP, HTTP/WebSocket); the next is refused',
    ),
  /**
   * Authentication failures across connections and listeners (hub SASL, web sign-in, SMTP AUTH):
   * exponential backoff per address, per account at an address and per account from unknown
   * addresses (the rule: src/policy/auth-failures.ts).
   */
  authFailures: z
    .strictObject({
      baseDelayMs: positiveInt.prefault(1000).describe('first wait past the free failures'),
      maxDelayMs: positiveInt.prefault(60_000).describe('longest wait (it doubles per failure)'),
      forgetAfterMs: positiveInt
        .prefault(15 * 60_000)
        .describe('a key is forgotten this long after its last failure'),
      maxKeys: positiveInt.prefault(10_000).describe('keys each table holds at most'),
      /** Failures in a row per address, and per account at an address, before any wait (a typo is free). */
      freeFailures: nonNegativeInt
        .prefault(3)
        .describe('failures in a row per address, and per account at an address, before any wait'),
      /** Failures in a row per account from addresses it never logged in from, before those wait. */
      accountFreeFailures: nonNegativeInt
        .prefault(10)
        .describe(
          'failures in a row for an account from addresses it has not logged in from, before those wait',
        ),
      /** Addresses remembered per account after a success: the account-wide wait spares them. */
      knownAddressesPerAccount: nonNegativeInt
        .prefault(4)
        .describe(
          'addresses remembered per account after a successful login: the account-wide wait spares them',
        ),
      /** How long such an address stays known. */
      knownAddressMs: positiveInt
        .prefault(7 * 24 * 3600_000)
        .describe('how long such an address stays known (7 days)'),
    })
    .refine((a) => a.maxDelayMs >= a.baseDelayMs, { message: 'maxDelayMs must be at least baseDelayMs' })
    .prefault({})
    .describe(
      'authentication-failure backoff across connections and listeners (hub SASL, web sign-in, SMTP AUTH), per address and per account',
    ),
});

export type LimitsConfig = z.output<typeof limitsSchema>;
