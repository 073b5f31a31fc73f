/**
 * Field schemas every configuration section uses, the core's and each adapter's, so a port or
 * a domain name means the same thing and gives the same message everywhere.
 */
import { z } from 'zod';
import { tryParseAddress } from '../model/index.js';

export const port = z.number().int().min(0).max(65535);
export const host = z.string().min(1);
export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().min(0);

/** A DNS name (RFC 1035 2.3.1; draft §9 `domain`), compared case-insensitively, so kept lower-case. */
export const domainName = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
    'not a domain name',
  )
  .transform((d) => d.toLowerCase());

/** An im: URI naming an inbox, checked with the model's parser (RFC 3860 A.2). */
export const inboxUri = z.string().superRefine((text, ctx) => {
  const a = tryParseAddress(text);
  if (a instanceof Error) ctx.addIssue({ code: 'custom', message: a.message });
  else if (a.scheme !== 'im' || a.local === '') ctx.addIssue({ code: 'custom', message: 'not an im: inbox' });
});

/**
 * Reconnecting with exponential backoff and jitter (the IRC and XMPP adapters' `reconnect:`):
 * `what` says which connection, in the generated reference.
 */
export function reconnect(what: string) {
  return z
    .strictObject({
      minDelayMs: positiveInt.prefault(1000).describe('first wait before reconnecting'),
      maxDelayMs: positiveInt.prefault(300_000).describe('longest wait (it grows exponentially)'),
      jitter: z
        .number()
        .min(0)
        .max(1)
        .prefault(0.3)
        .describe('each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]'),
    })
    .prefault({})
    .describe(`reconnecting after a lost ${what}`);
}

/** MIME bodies from the hub (src/mime), read by an adapter: deepest multipart nesting, most parts. */
export const mimeLimits = z
  .strictObject({
    maxDepth: positiveInt.prefault(8).describe('deepest multipart nesting read'),
    maxParts: positiveInt.prefault(100).describe('most parts read'),
  })
  .prefault({})
  .describe('MIME bodies delivered from the hub (more is `malformed`)');
