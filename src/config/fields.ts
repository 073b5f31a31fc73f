/**
 * Field schemas every configuration section uses, the core's and each adapter's, so a port or
 * a domain name means the same thing and gives the same message everywhere.
 */
import { z } from 'zod';

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
