/**
 * The `type: irc` section of gateway.config.yaml (docs/architecture.md part 9): one IRC network per
 * adapter instance. Unknown keys are errors; every key but `domain`, `server.host` and `nick`
 * has a default. See README.md for the meaning of each key.
 */
/* eslint-disable no-control-regex -- IRC text and its formatting are made of control characters */
import { z } from 'zod';
import { configFields, parseCheck } from '../../src/index.js';

const { positiveInt, nonNegativeInt, domainName: domain, inboxUri: inbox } = configFields;

// RFC 2812 2.3.1: nickname = ( letter / special ) *8( letter / digit / special / "-" ).
const nick = z.string().regex(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/, 'not an IRC nickname');

/**
 * `link` (issue 17, docs/files.md): past `maxLinesPerMessage` lines the whole text is kept by the
 * gateway's file store and IRC gets the first line and `(full message: URL)`; `split` without a
 * file store.
 */
export const longMessagePolicy = z.enum(['split', 'clip', 'refuse', 'link']);
export type LongMessagePolicy = z.output<typeof longMessagePolicy>;

const channelSchema = z.strictObject({
  /** The channel name with its prefix, e.g. "#dev" (RFC 2812 1.3). */
  name: z
    .string()
    .regex(/^[#&+!][^\s,\x07]+$/, 'not an IRC channel name')
    .describe('the channel name with its prefix, e.g. `#dev` (RFC 2812 1.3)'),
  key: z.string().min(1).optional().describe('the channel key (+k)'),
  /** The inbox channel messages are sent to, normally a room whose members include this channel. */
  room: inbox
    .optional()
    .describe('the inbox channel messages are sent to, normally a room whose members include this channel'),
  /** Per-room policy for messages longer than one line; default: the network's `longMessages`. */
  longMessages: longMessagePolicy
    .optional()
    .describe("this channel's policy for messages longer than one line (default: the network's)"),
});

const saslSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({
    mechanism: z
      .literal('PLAIN')
      .describe('`PLAIN` (account, password) or `EXTERNAL` (a client certificate)'),
    account: z.string().min(1).describe('the services account'),
    password: z.string().min(1).describe('its password (use `${VAR}`)'),
  }),
  z.strictObject({
    mechanism: z.literal('EXTERNAL'),
    /** PEM files of the client certificate presented in the TLS handshake. */
    cert: z.string().min(1).describe('PEM file of the client certificate presented in the TLS handshake'),
    key: z.string().min(1).describe('PEM file of its private key'),
  }),
]);

export const ircConfigSchema = z
  .strictObject({
    type: z.literal('irc').describe('the IRC adapter: one IRC network per instance'),
    id: z.string().optional().describe('names this instance (default: its type)'),
    /** The domain IRC nicks and channels of this network map under: im:nick@domain. */
    domain: domain.describe('the domain nicks and channels of this network map under: `im:nick@domain`'),
    server: z
      .strictObject({
        host: z.string().min(1).describe('the IRC server'),
        port: z.number().int().min(1).max(65535).prefault(6697).describe("the server's port"),
        tls: z.boolean().prefault(true).describe('connect with TLS'),
        /** Certificate verification; only turn off for a test network. */
        rejectUnauthorized: z
          .boolean()
          .prefault(true)
          .describe("verify the server's certificate; only turn off for a test network"),
        /** PEM CA bundle file for a private CA. */
        ca: z.string().min(1).optional().describe('PEM CA bundle file for a private CA'),
        /** Server password (PASS). */
        password: z.string().min(1).optional().describe('server password (PASS)'),
      })
      .describe('the IRC server to connect to'),
    nick: nick.describe("the gateway's nick"),
    altNicks: z
      .array(nick)
      .prefault([])
      .describe('nicks tried when `nick` is taken (then the nick with a digit)'),
    username: z
      .string()
      .regex(/^[^\s@]+$/)
      .prefault('cpimgw')
      .describe('the USER name'),
    realname: z.string().min(1).prefault('CPIM gateway').describe('the real name (USER, WHOIS)'),
    sasl: saslSchema.optional().describe('SASL authentication to the network (IRCv3 sasl)'),
    nickserv: z
      .strictObject({
        password: z.string().min(1).describe('the NickServ password (use `${VAR}`)'),
        service: z.string().min(1).prefault('NickServ').describe('the service nick'),
        /** Wait this long for the service's confirmation notice before joining anyway (degraded). */
        confirmTimeoutMs: positiveInt
          .prefault(10_000)
          .describe("wait this long for the service's confirmation before joining anyway (degraded)"),
        /** A NOTICE from the service matching this (case-insensitive) confirms identification. */
        confirmPattern: z
          .string()
          .min(1)
          .prefault('identified|recognized|logged in')
          .describe('a NOTICE from the service matching this (case-insensitive) confirms identification'),
      })
      .optional()
      .describe('identify to NickServ before joining (for networks without SASL)'),
    mode: z
      .enum(['relay', 'puppet'])
      .prefault('relay')
      .describe(
        '`relay`: one connection, lines as `<name> text`; `puppet`: one connection per active remote user',
      ),
    /**
     * Relay mode: the hub user each nick last heard from (so a reply without an address finds
     * them), at most `maxEntries` nicks, each forgotten after `maxAgeMs` unused (issue 12).
     */
    correspondents: z
      .strictObject({
        maxEntries: positiveInt.prefault(10_000).describe('nicks remembered at most'),
        maxAgeMs: positiveInt.prefault(24 * 3600_000).describe('a nick unused this long is forgotten'),
      })
      .prefault({})
      .describe(
        'relay mode: the hub user each nick last heard from, so a reply without an address finds them',
      ),
    replies: z
      .strictObject({
        quote: z
          .enum(['older', 'never'])
          .prefault('older')
          .describe(
            "plain IRC (no message-tags): a reply to a message other than its author's latest gets a first line `> nick: start of it…` (`older`), or only the `nick: ` prefix (`never`)",
          ),
        quoteChars: positiveInt
          .prefault(80)
          .describe('characters of the replied-to message in that quote line'),
      })
      .prefault({})
      .describe('issue 17: how a reply is written where IRC has no reply tag (docs/adapters/irc.md "IRCv3")'),
    relayNames: z
      .strictObject({
        qualify: z
          .enum(['foreign', 'always', 'never'])
          .prefault('foreign')
          .describe(
            "`foreign`: `<bob>` for users of the gateway's own domains, `<bob@web.example.org>` for others; `always`; `never` (`<bob>` for all: ambiguous)",
          ),
        localDomains: z
          .array(domain)
          .prefault([])
          .describe(
            "the gateway's own domains, named without a domain (the domains of `channels[].room` count too)",
          ),
        labels: z
          .record(z.string(), z.string().regex(/^[^\s<>@]+$/, 'a label has no spaces, <, > or @'))
          .prefault({})
          .describe('a short label per domain: `{web.example.org: web}` names `<bob@web>`'),
      })
      .prefault({})
      .describe('relay mode: how a line names its author, so users of two networks with one name differ'),
    puppets: z
      .strictObject({
        max: positiveInt.prefault(20).describe('puppet connections at most (beyond: relay-style lines)'),
        idleMs: positiveInt.prefault(30 * 60_000).describe('a puppet idle this long sends QUIT'),
        nickSuffix: z
          .string()
          .regex(/^[A-Za-z0-9[\]\\`_^{|}-]*$/)
          .prefault('[gw]')
          .describe("appended to a puppet's nick, e.g. `bob[gw]`"),
      })
      .prefault({})
      .describe('puppet mode: one IRC connection per active remote user'),
    /** Issue 15: what the adapter keeps in the store across restarts, and how much of it. */
    keep: z
      .strictObject({
        nicks: positiveInt
          .prefault(10_000)
          .describe('puppet nicks kept across restarts (the least recently used forgotten first)'),
        messageIds: positiveInt
          .prefault(100_000)
          .describe('IRCv3 msgid ↔ gateway Message-ID pairs kept (the least recently used forgotten first)'),
      })
      .prefault({})
      .describe('what survives a restart: puppet nicks, message ids (docs/adapters/irc.md)'),
    channels: z.array(channelSchema).prefault([]).describe('channels to join and bridge'),
    longMessages: longMessagePolicy
      .prefault('link')
      .describe(
        'messages longer than one line: `split` into lines, `clip` to one, `refuse`, or `link`: split, and past `maxLinesPerMessage` lines the first line and a link to the whole text in the file store (`split` when the store is off)',
      ),
    /** With `split`, lines past this many are clipped (and the sender told). */
    maxLinesPerMessage: positiveInt
      .prefault(15)
      .describe(
        'with `split`, lines past this many are clipped (and the sender told); with `link`, a longer message is sent as a link',
      ),
    mime: configFields.mimeLimits,
    /** Token bucket per connection (RFC 1459 8.10 flood control on the server side). */
    flood: z
      .strictObject({
        enabled: z.boolean().prefault(true).describe('pace output'),
        burst: positiveInt.prefault(5).describe('lines sent at once before pacing'),
        linesPerSecond: z.number().positive().prefault(1).describe('lines per second after the burst'),
      })
      .prefault({})
      .describe('pacing toward the IRC server: a token bucket per connection (RFC 1459 8.10)'),
    queue: z
      .strictObject({
        /** Lines waiting per connection; past it a send is refused with `resources`. */
        maxLines: positiveInt
          .prefault(1000)
          .describe('lines waiting per connection; past it a send is refused with `resources`'),
        /**
         * Lines wait at most this long: a send that would wait longer for the pacing is answered
         * `quota` at once (issue 20); lines kept across a disconnect this long answer `communications`.
         */
        maxAgeMs: positiveInt
          .prefault(20_000)
          .describe(
            'lines wait at most this long: a send that would wait longer for the pacing is answered `quota` at once; lines kept across a disconnect this long, then `communications`',
          ),
      })
      .prefault({})
      .describe('the output queue of each connection'),
    reconnect: configFields.reconnect('connection'),
    /** start() waits this long for the first registration (then continues in the background). */
    startTimeoutMs: positiveInt
      .prefault(15_000)
      .describe(
        'the gateway waits this long for the first registration at start (then continues in the background)',
      ),
    presence: z
      .strictObject({
        enabled: z.boolean().prefault(true).describe('publish the presence of IRC users'),
        /** Nicks whose presence is followed even outside the channels (MONITOR, else ISON). */
        watch: z
          .array(nick)
          .prefault([])
          .describe('nicks whose presence is followed even outside the channels (MONITOR, else ISON)'),
        /** WHO / ISON polling period where the server lacks away-notify / MONITOR. */
        pollMs: positiveInt
          .prefault(60_000)
          .describe('WHO / ISON polling period where the server lacks away-notify / MONITOR'),
        /** A user leaving is published after this delay (a quick rejoin cancels it). */
        debounceMs: nonNegativeInt
          .prefault(2000)
          .describe('a user leaving is published after this delay (a quick rejoin cancels it)'),
        /** The same for quits that look like a netsplit ("server1 server2"). */
        netsplitDelayMs: nonNegativeInt
          .prefault(60_000)
          .describe('the same for quits that look like a netsplit'),
      })
      .prefault({})
      .describe('presence of IRC users (away-notify, MONITOR, WHO)'),
  })
  .superRefine((c, ctx) => {
    if (c.sasl?.mechanism === 'EXTERNAL' && !c.server.tls)
      ctx.addIssue({ code: 'custom', path: ['sasl'], message: 'SASL EXTERNAL needs server.tls' });
  });

export type IrcConfig = z.output<typeof ircConfigSchema>;
export type IrcChannelConfig = IrcConfig['channels'][number];

export function parseIrcConfig(raw: unknown): IrcConfig {
  return parseCheck(ircConfigSchema, raw, 'adapters[type=irc]');
}
