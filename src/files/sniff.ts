/**
 * The type of a file, found from its content and never from its name or the sender's word
 * (issue 17: "type checked by content not by name"). Binary formats by their signature (the
 * `file-type` package reads the magic numbers); what has none and decodes as UTF-8 without
 * control characters is text/plain; anything else application/octet-stream.
 */
import { fileTypeFromBuffer } from 'file-type';

export const OCTET_STREAM = 'application/octet-stream';
export const TEXT_PLAIN = 'text/plain';

/** Octets looked at to call a file text: enough to be sure, bounded for big files. */
const TEXT_PROBE_BYTES = 64 * 1024;

/**
 * UTF-8 (RFC 3629) text: valid, and no C0 control but TAB, LF, FF and CR (a NUL or an escape is
 * what binaries and terminal tricks carry). A sequence cut at the probe's end is not an error.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  const probe = bytes.subarray(0, TEXT_PROBE_BYTES);
  for (const b of probe) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) return false;
  let end = probe.length;
  if (probe.length < bytes.length) {
    // Step back over a multi-octet sequence the probe cut in two.
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (probe[end - back - 1]! & 0xc0) === 0x80) back++;
    if (end - back - 1 >= 0 && probe[end - back - 1]! >= 0xc0) end = end - back - 1;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(probe.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The media type of `bytes` (lower case, no parameters). */
export async function sniffType(bytes: Uint8Array): Promise<string> {
  if (bytes.length === 0) return TEXT_PLAIN;
  const found = await fileTypeFromBuffer(bytes);
  if (found !== undefined) return found.mime.toLowerCase();
  return looksLikeText(bytes) ? TEXT_PLAIN : OCTET_STREAM;
}

/**
 * Shown in the browser rather than downloaded: raster images and plain text. Never SVG or HTML
 * (they run script), never what the content did not prove (RFC 6266 `inline`).
 */
export function servedInline(type: string): boolean {
  return (
    type === TEXT_PLAIN || ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'].includes(type)
  );
}
