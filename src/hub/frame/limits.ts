/** The decoder's limits and their defaults (docs/hub-protocol.md part 4 row 26). No I/O. */

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
