/** The decoder's limits and their defaults (docs/hub-protocol.md part 4 row 26). No I/O. */
import { CONTENT_LENGTH } from './octets.js';

/** Hard limits of the decoder; each becomes a config key (`hub.limits.<name>`). docs/hub-protocol.md part 4 row 26. */
export interface FrameLimits {
  /** Longest protocol line, in octets without CRLF. */
  readonly maxLineLength: number;
  /** Most headers in one message (continuation lines do not count). */
  readonly maxHeaderCount: number;
  /** Most header octets in one message, CRLFs included. */
  readonly maxHeaderBytes: number;
  /** Largest Content-Length accepted. */
  readonly maxPayloadSize: number;
  /** Longest command/response id (part 4 row 26: ids ≤ 64). */
  readonly maxIdLength: number;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = Object.freeze({
  maxLineLength: 8192,
  maxHeaderCount: 1000,
  maxHeaderBytes: 128 * 1024,
  maxPayloadSize: 1024 * 1024,
  maxIdLength: 64,
});

/**
 * draft §10: a Content-Length value (trimmed) read against the limit and an earlier one of the same
 * message (`current`, -1 when none): the count, or why the stream must stop (an unreadable
 * count leaves the frame end unknown).
 */
export function readContentLength(
  value: string,
  max: number,
  current: number,
): number | { readonly reason: string; readonly rule: string } {
  if (!CONTENT_LENGTH.test(value)) return { reason: 'invalid Content-Length', rule: 'draft §10' };
  const n = Number(value);
  if (n > max)
    return {
      reason: `Content-Length ${n} above the limit of ${max}`,
      rule: 'docs/hub-protocol.md part 4 row 26',
    };
  if (current !== -1 && current !== n)
    return { reason: 'conflicting Content-Length headers', rule: 'draft §10' };
  return n;
}
