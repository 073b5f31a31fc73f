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

export const longMessagePolicy = z.enum(['split', 'clip', 'refuse']);
export type LongMessagePolicy = z.output<typeof longMessagePolicy>;

const channelSchema = z.strictObject({
  /** The channel name with its prefix, e.g. "#dev" (RFC 2812 1.3). */
  name: z.string().regex(/^[#&+!][^\s,\x07]+$/, 'not an IRC channel name'),
  key: z.string().min(1).optional(),
  /** The inbox channel messages are sent to, normally a room whose members include this channel. */
  room: inbox.optional(),
  /** Per-room policy for messages longer than one line; default: the network's `longMessages`. */
  longMessages: longMessagePolicy.optional(),
});

const saslSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({ mechanism: z.literal('PLAIN'), account: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({
    mechanism: z.literal('EXTERNAL'),
    /** PEM files of the client certificate presented in the TLS handshake. */
    cert: z.string().min(1),
    key: z.string().min(1),
  }),
]);

export const ircConfigSchema = z
  .strictObject({
    type: z.literal('irc'),
    id: z.string().optional(),
    /** The domain IRC nicks and channels of this network map under: im:nick@domain. */
    domain,
    server: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).prefault(6697),
      tls: z.boolean().prefault(true),
      /** Certificate verification; only turn off for a test network. */
      rejectUnauthorized: z.boolean().prefault(true),
      /** PEM CA bundle file for a private CA. */
      ca: z.string().min(1).optional(),
      /** Server password (PASS). */
      password: z.string().min(1).optional(),
    }),
    nick,
    altNicks: z.array(nick).prefault([]),
    username: z
      .string()
      .regex(/^[^\s@]+$/)
      .prefault('cpimgw'),
    realname: z.string().min(1).prefault('CPIM gateway'),
    sasl: saslSchema.optional(),
    nickserv: z
      .strictObject({
        password: z.string().min(1),
        service: z.string().min(1).prefault('NickServ'),
        /** Wait this long for the service's confirmation notice before joining anyway (degraded). */
        confirmTimeoutMs: positiveInt.prefault(10_000),
        /** A NOTICE from the service matching this (case-insensitive) confirms identification. */
        confirmPattern: z.string().min(1).prefault('identified|recognized|logged in'),
      })
      .optional(),
    mode: z.enum(['relay', 'puppet']).prefault('relay'),
    /**
     * Relay mode: the hub user each nick last heard from (so a reply without an address finds
     * them), at most `maxEntries` nicks, each forgotten after `maxAgeMs` unused (issue 12).
     */
    correspondents: z
      .strictObject({
        maxEntries: positiveInt.prefault(10_000),
        maxAgeMs: positiveInt.prefault(24 * 3600_000),
      })
      .prefault({}),
    puppets: z
      .strictObject({
        max: positiveInt.prefault(20),
        idleMs: positiveInt.prefault(30 * 60_000),
        nickSuffix: z
          .string()
          .regex(/^[A-Za-z0-9[\]\\`_^{|}-]*$/)
          .prefault('[gw]'),
      })
      .prefault({}),
    channels: z.array(channelSchema).prefault([]),
    longMessages: longMessagePolicy.prefault('split'),
    /** With `split`, lines past this many are clipped (and the sender told). */
    maxLinesPerMessage: positiveInt.prefault(15),
    /** MIME bodies from the hub (src/mime): deepest multipart nesting and most parts read. */
    mime: z
      .strictObject({ maxDepth: positiveInt.prefault(8), maxParts: positiveInt.prefault(100) })
      .prefault({}),
    /** Token bucket per connection (RFC 1459 8.10 flood control on the server side). */
    flood: z
      .strictObject({
        enabled: z.boolean().prefault(true),
        burst: positiveInt.prefault(5),
        linesPerSecond: z.number().positive().prefault(1),
      })
      .prefault({}),
    queue: z
      .strictObject({
        /** Lines waiting per connection; past it a send is refused with `resources`. */
        maxLines: positiveInt.prefault(1000),
        /** Lines kept across a disconnect this long; then their sends answer `communications`. */
        maxAgeMs: positiveInt.prefault(20_000),
      })
      .prefault({}),
    reconnect: z
      .strictObject({
        minDelayMs: positiveInt.prefault(1000),
        maxDelayMs: positiveInt.prefault(300_000),
        /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
        jitter: z.number().min(0).max(1).prefault(0.3),
      })
      .prefault({}),
    /** start() waits this long for the first registration (then continues in the background). */
    startTimeoutMs: positiveInt.prefault(15_000),
    presence: z
      .strictObject({
        enabled: z.boolean().prefault(true),
        /** Nicks whose presence is followed even outside the channels (MONITOR, else ISON). */
        watch: z.array(nick).prefault([]),
        /** WHO / ISON polling period where the server lacks away-notify / MONITOR. */
        pollMs: positiveInt.prefault(60_000),
        /** A user leaving is published after this delay (a quick rejoin cancels it). */
        debounceMs: nonNegativeInt.prefault(2000),
        /** The same for quits that look like a netsplit ("server1 server2"). */
        netsplitDelayMs: nonNegativeInt.prefault(60_000),
      })
      .prefault({}),
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
