/**
 * The `type: xmpp` section of gateway.config.yaml (docs/architecture.md part 9): one XEP-0114
 * component per adapter instance, beside an existing XMPP server (Prosody, ejabberd). Unknown
 * keys are errors; every key but `componentDomain`, `userDomains` and `server.secret` has a
 * default. See docs/adapters/xmpp.md for each key.
 */
import { z } from 'zod';
import { configFields, parseCheck } from '../../src/index.js';

const { positiveInt, nonNegativeInt, domainName, inboxUri } = configFields;

/** A hosted room's JID localpart: lower-case, no `@` (it would read as a puppet), no `\\`. */
const ROOM_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const xmppConfigSchema = z
  .strictObject({
    type: z
      .literal('xmpp')
      .describe('the XMPP adapter: an external component (XEP-0114) beside an XMPP server'),
    id: z.string().optional().describe('names this instance (default: its type)'),
    componentDomain: domainName.describe(
      'the component domain the XMPP server routes to the gateway (its `Component` entry), e.g. `xmpp-gw.example.org`; people of other networks appear there as JIDs',
    ),
    userDomains: z
      .array(domainName)
      .min(1)
      .describe(
        "the XMPP server's user domains: their users may use the gateway and appear on the hub as `im:user@domain`; the adapter serves these domains",
      ),
    server: z
      .strictObject({
        host: z.string().min(1).prefault('127.0.0.1').describe("the XMPP server's component listener"),
        port: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .prefault(5347)
          .describe('its port (XEP-0114: 5347 by convention)'),
        secret: z.string().min(1).describe('the shared component secret (use `${VAR}`)'),
      })
      .describe('the XMPP server to connect to as a component (an unencrypted link: keep it on loopback)'),
    name: z
      .string()
      .min(1)
      .prefault('CPIM gateway')
      .describe('the name the component gives in service discovery (XEP-0030)'),
    reconnect: configFields.reconnect('component connection'),
    keepalive: z
      .strictObject({
        intervalMs: nonNegativeInt
          .prefault(60_000)
          .describe('ping the server (XEP-0199) this often to find a dead link; 0: never'),
        timeoutMs: positiveInt
          .prefault(10_000)
          .describe('a ping unanswered this long closes the link, which then reconnects'),
      })
      .prefault({})
      .describe('XEP-0199 pings to the server (§4.2)'),
    startTimeoutMs: positiveInt
      .prefault(15_000)
      .describe(
        'the gateway waits this long for the first handshake at start (then continues in the background)',
      ),
    limits: z
      .strictObject({
        maxStanzaBytes: positiveInt
          .prefault(65_536)
          .describe('a stanza from the server larger than this is refused with `policy-violation`'),
        maxMessageBytes: positiveInt
          .prefault(16_384)
          .describe('text of a message from the hub larger than this (UTF-8) is refused with `quota`'),
        perJid: z
          .strictObject({
            ratePerSecond: z
              .number()
              .positive()
              .prefault(5)
              .describe('stanzas per second per sender after the burst'),
            burst: positiveInt.prefault(20).describe('stanzas a sender may send at once'),
            maxKeys: positiveInt.prefault(10_000).describe('senders tracked at once'),
          })
          .prefault({})
          .describe('stanzas from each XMPP sender (bare JID); beyond: stanza error `policy-violation`'),
        maxReactions: positiveInt
          .prefault(20)
          .describe(
            'distinct keys in one XEP-0444 reactions element; a stanza with more is refused `policy-violation`, a set sent to XMPP keeps the latest this many',
          ),
        reactionSets: positiveInt
          .prefault(10_000)
          .describe(
            "one person's reaction set on one message, remembered to turn XEP-0444 full sets into single changes and back (the least recently used forgotten first)",
          ),
      })
      .prefault({})
      .describe('what the adapter accepts from the XMPP server and the hub'),
    receipts: z
      .strictObject({
        waitMs: nonNegativeInt
          .prefault(5000)
          .describe(
            'hub → XMPP: wait this long for a XEP-0184 receipt before answering `ok` + `Unreliable`; 0: ask for none, answer at once',
          ),
        maxPending: positiveInt.prefault(10_000).describe('messages waiting for a receipt at most'),
      })
      .prefault({})
      .describe('XEP-0184 message delivery receipts'),
    presence: z
      .strictObject({
        enabled: z
          .boolean()
          .prefault(true)
          .describe("publish XMPP users' presence and let them watch people through puppets"),
        maxUsers: positiveInt
          .prefault(10_000)
          .describe(
            'XMPP users whose connected resources are tracked at once (the least recently changed forgotten first)',
          ),
        maxWatchersPerUser: positiveInt
          .prefault(1_000)
          .describe(
            'foreign watchers an XMPP user may approve (RFC 3922 §6.2); further approvals are logged and not passed on',
          ),
        askWaitMs: positiveInt
          .prefault(15_000)
          .describe(
            "how long a hub watcher's subscribe to an XMPP user waits for the user's answer before `target-authorization`",
          ),
      })
      .prefault({})
      .describe('presence both ways (RFC 3922 §5-6)'),
    threads: z
      .strictObject({
        maxEntries: positiveInt
          .prefault(10_000)
          .describe('conversations whose XMPP `<thread/>` is remembered to echo it back (RFC 6121 §5.2.5)'),
        maxAgeMs: positiveInt.prefault(86_400_000).describe('a thread unused this long is forgotten'),
      })
      .prefault({})
      .describe('the `<thread/>` of each XMPP user ↔ foreign address conversation, echoed in replies'),
    keep: z
      .strictObject({
        puppets: positiveInt
          .prefault(10_000)
          .describe(
            'puppet JID ↔ foreign URI pairs kept across restarts (the least recently used forgotten first)',
          ),
        messageIds: positiveInt
          .prefault(100_000)
          .describe(
            'XMPP message ids (id, origin-id, stanza-id) ↔ gateway Message-ID pairs kept across restarts, for replies, corrections, retractions and reactions (the least recently used forgotten first)',
          ),
      })
      .prefault({})
      .describe(
        'what survives a restart: the exact foreign URI behind each puppet JID, the XMPP ids of messages',
      ),
    rooms: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(ROOM_NAME, 'lower-case letters, digits, ".", "_" and "-", at most 64')
            .describe(
              'the room JID is `NAME@componentDomain`; its member inbox in the gateway room is `im:NAME@componentDomain`',
            ),
          address: inboxUri.describe('the gateway room (`rooms:` in gateway.config.yaml) it bridges to'),
          title: z.string().min(1).max(100).optional().describe('the name shown in service discovery'),
          subject: z
            .string()
            .max(1000)
            .optional()
            .describe('the room subject sent on join (default: the title)'),
          members: z
            .array(inboxUri)
            .prefault([])
            .describe(
              "people of other networks in the gateway room, shown as occupants from the start (list the gateway room's members; others appear when they first speak)",
            ),
        }),
      )
      .prefault([])
      .describe('gateway rooms offered as MUC rooms (XEP-0045) hosted by the component'),
    muc: z
      .strictObject({
        historyMaxStanzas: nonNegativeInt
          .prefault(20)
          .describe(
            "at most this many of the store's last room messages sent on join (XEP-0045 §7.2.14); 0: none",
          ),
        maxOccupants: positiveInt
          .prefault(200)
          .describe('occupants of one hosted room at most, XMPP users and people of other networks together'),
      })
      .prefault({})
      .describe('hosted rooms (XEP-0045)'),
    mime: configFields.mimeLimits,
  })
  .superRefine((c, ctx) => {
    if (c.userDomains.includes(c.componentDomain))
      ctx.addIssue({
        code: 'custom',
        path: ['componentDomain'],
        message: 'the component domain must differ from the user domains',
      });
    c.rooms.forEach((r, i) => {
      if (c.rooms.findIndex((o) => o.name === r.name) !== i)
        ctx.addIssue({ code: 'custom', path: ['rooms', i, 'name'], message: 'listed twice' });
    });
  });

export type XmppConfig = z.output<typeof xmppConfigSchema>;

export function parseXmppConfig(raw: unknown): XmppConfig {
  return parseCheck(xmppConfigSchema, raw, 'adapters[type=xmpp]');
}
