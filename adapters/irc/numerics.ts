/**
 * Numeric replies a connection reads (RFC 2812 5.1, 5.2): our hostmask from RPL_WELCOME, and
 * error replies about what it sent, by what they mean for the sender: a PRIVMSG or NOTICE
 * refused (the send's answer), a JOIN refused (the channel's state). Pure.
 */
import { errorAnswer, type Answer } from '../../src/index.js';
import { parseUserhost } from './translate.js';

const NOT_FOUND = new Set(['401', '403', '406']);
const REFUSED = new Set(['404', '477', '486', '489', '531', '492']);
export const JOIN_FAILED = new Set(['471', '473', '474', '475', '476', '477', '405', '403']);

/** The answer for the lines to the numeric's subject, or null when it refuses no line. */
export function refusalOf(code: string, reason: string | undefined): Answer | null {
  if (NOT_FOUND.has(code)) return errorAnswer('target-not-found', reason ?? 'no such nick or channel');
  if (REFUSED.has(code)) return errorAnswer('target-authorization', reason ?? 'cannot send');
  return null;
}

/** RFC 2812 5.1: RPL_WELCOME ends with our full nick!user@host, the server's view of us. */
export function welcomeMask(line: string): { user: string; host: string } | null {
  const m = /^(?:@\S+ )?:\S+ 001 \S+ :.*?(\S+!\S+@\S+)\s*$/.exec(line);
  if (!m) return null;
  const { user, host } = parseUserhost(m[1]!);
  return { user, host };
}

/** A numeric reply's code, subject (its first parameter after our nick) and trailing reason. */
export function numericOf(line: string): { code: string; subject: string; reason?: string } | null {
  const m = /^(?:@\S+ )?:\S+ (\d{3}) \S+ (\S+)(?: :(.*))?/.exec(line);
  if (!m) return null;
  return m[3] === undefined ? { code: m[1]!, subject: m[2]! } : { code: m[1]!, subject: m[2]!, reason: m[3] };
}
