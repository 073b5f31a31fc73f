/**
 * How large a file may be to travel inside a message (issue 17): no larger than
 * `files.inlineMaxBytes`, and no larger than one IMTP payload carries
 * (`hub.limits.maxImPayloadBytes`; the router answers `quota` above it, docs/security.md). A part
 * inside a Message/CPIM object is base64 (RFC 2045 6.8: 4 octets for 3, a CRLF every 76
 * characters), beside the CPIM headers, the part headers and a caption, for which
 * `HEADROOM` octets are kept. A file between the two limits would be refused by the router, so
 * the store keeps it and it travels as a link instead.
 */

/** Octets kept for the CPIM and MIME headers and the caption around one inline file. */
export const HEADROOM = 4096;

/** Octets of `n` octets in base64 with a CRLF after every 76 characters (RFC 2045 6.8). */
export function base64Octets(n: number): number {
  const chars = Math.ceil(n / 3) * 4;
  return chars + Math.ceil(chars / 76) * 2;
}

/** The largest file whose base64 form, with HEADROOM, fits a payload of `payloadBytes`. */
export function inlineFit(payloadBytes: number): number {
  const room = Math.max(0, payloadBytes - HEADROOM);
  // The estimate from the ratio (78 octets carry 57), then down to the exact fit.
  let n = Math.floor((room * 57) / 78);
  while (n > 0 && base64Octets(n) > room) n--;
  return n;
}

/** The threshold to use, and whether the configured one was lowered to it. */
export function effectiveInline(
  inlineMaxBytes: number,
  payloadBytes: number,
): { readonly bytes: number; readonly lowered: boolean } {
  const fit = inlineFit(payloadBytes);
  return inlineMaxBytes <= fit ? { bytes: inlineMaxBytes, lowered: false } : { bytes: fit, lowered: true };
}
