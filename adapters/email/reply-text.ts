/**
 * The new text of a mail reply: quoted text, attribution lines, forwarded originals and
 * signatures removed, so a chat sees what the person wrote. Pure.
 */

/** Attribution lines that introduce a quote ("On Mon, 1 Jan 2024, Bob <b@x> wrote:"). */
const ATTRIBUTION = [
  /^On\b.{0,300}\bwrote:\s*$/i,
  /^Le\b.{0,300}\ba écrit\s*:\s*$/i,
  /^Am\b.{0,300}\bschrieb\b.{0,200}:\s*$/i,
  /^El\b.{0,300}\bescribió:\s*$/i,
  /^Il giorno\b.{0,300}\bha scritto:\s*$/i,
  /^Op\b.{0,300}\bschreef\b.{0,200}:\s*$/i,
];

/** Lines after which everything is the original message (Outlook, forwarding clients). */
const ORIGINAL_MARKERS = [
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
  /^Begin forwarded message:\s*$/i,
];

/** An Outlook-style header block: "From: ..." followed by Sent:/Date: and To:/Subject: lines. */
function isHeaderBlock(lines: readonly string[], i: number): boolean {
  if (!/^\*?From:\*?\s/i.test(lines[i] ?? '')) return false;
  const next = lines.slice(i + 1, i + 5).join('\n');
  return /^\*?(Sent|Date):/im.test(next) && /^\*?(To|Subject):/im.test(next);
}

/**
 * The reply without what it quotes. RFC 3676 4.3: "-- " alone on a line starts the signature
 * (also accepted without its trailing space, as many clients write it). Quoted lines start with
 * ">" (RFC 3676 4.5); interleaved replies keep every unquoted line, in order.
 */
export function stripReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^-- ?$/.test(line)) break;
    if (ORIGINAL_MARKERS.some((re) => re.test(line.trim())) || isHeaderBlock(lines, i)) break;
    if (/^\s*>/.test(line)) continue;
    const trimmed = line.trim();
    if (ATTRIBUTION.some((re) => re.test(trimmed))) continue;
    // An attribution wrapped onto two lines: "On Mon, ..., Bob <b@x>" / "wrote:".
    const joined = `${trimmed} ${(lines[i + 1] ?? '').trim()}`;
    if (/^On\b/i.test(trimmed) && /\bwrote:\s*$/i.test(joined) && isQuoteNext(lines, i + 2)) {
      i++;
      continue;
    }
    kept.push(line.replace(/\s+$/, ''));
  }
  return tidy(kept);
}

function isQuoteNext(lines: readonly string[], from: number): boolean {
  for (let i = from; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    return /^\s*>/.test(lines[i]!);
  }
  return true;
}

/** Leading and trailing blank lines removed, runs of blank lines collapsed to one. */
export function tidy(lines: readonly string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (l.trim() === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(l.trim() === '' ? '' : l);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
