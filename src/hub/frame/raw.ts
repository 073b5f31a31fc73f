/**
 * A received `send`'s header block kept as octets, so a relay writes it out again by copying
 * it, with only the lines a relay rewrites spliced in (issue 18; docs/hub-protocol.md part 4
 * row 16, draft §8: everything else is relayed unchanged). No I/O.
 *
 * The decoder (decode.ts) fills one while it reads the header lines and hands it over only when
 * the whole block is plain: every line in one read, no folded line, every value printable ASCII
 * (so the octets are exactly what the encoder would write for the decoded values, apart from
 * optional whitespace), and at most one line of each rewritten name. Anything else is relayed
 * from the decoded header list as before.
 *
 * The rewritten names are matched exactly as `relayHeaders` (src/router/visited.ts) matches
 * them: `Visited`, `Max-Forwards`, `Astrength`/`AStrength` are replaced in place, and the
 * `Content-Length` line goes (the encoder writes its own after the headers).
 */
export interface RawHeaders {
  /** The octets holding the block (the read it arrived in; never copied). */
  readonly buf: Buffer;
  /** The first header line's first octet and the blank line's first octet. */
  readonly start: number;
  readonly end: number;
  /** [start, end) of the line, CRLF included, or -1 when absent. */
  readonly visitedStart: number;
  readonly visitedEnd: number;
  readonly forwardsStart: number;
  readonly forwardsEnd: number;
  readonly strengthStart: number;
  readonly strengthEnd: number;
  readonly lengthStart: number;
  readonly lengthEnd: number;
}

/** What a relay writes in place of (or after) the rewritten lines. */
export interface RawRewrite {
  readonly visited: string;
  readonly maxForwards: string;
  readonly strength: string;
  /** A Message-ID the block lacks, appended after the others; undefined when it has one. */
  readonly messageId: string | undefined;
}

/** The line kinds a relay rewrites. */
export const VISITED = 1;
export const FORWARDS = 2;
export const STRENGTH = 3;
export const LENGTH = 4;

/** Which rewritten line `name` (an interned header name) is, or 0. */
export function rewrittenKind(name: string): number {
  switch (name) {
    case 'Visited':
      return VISITED;
    case 'Max-Forwards':
      return FORWARDS;
    case 'Astrength':
    case 'AStrength':
      return STRENGTH;
    case 'Content-Length':
      return LENGTH;
    default:
      return 0;
  }
}

/** `buf` before the first header line of a send: "keep, where not known yet". */
const UNKNOWN = Buffer.alloc(0);

/**
 * The decoder's side: follows the header lines of one message and hands over its block when it
 * can be kept. One per decoder, reused for every message.
 */
export class RawCapture {
  /** The read holding the block's lines; null: not kept for this message. */
  private buf: Buffer | null = null;
  private start = 0;
  private visited = -1;
  private visitedEnd = -1;
  private forwards = -1;
  private forwardsEnd = -1;
  private strength = -1;
  private strengthEnd = -1;
  private length = -1;
  private lengthEnd = -1;

  /** A new message: kept only for a `send` command (the relay path). */
  begin(keep: boolean): void {
    this.buf = keep ? UNKNOWN : null;
    this.visited = this.forwards = this.strength = this.length = -1;
  }

  /** Any line of the block (the blank line included) at `s` of `buf`. */
  line(buf: Buffer, s: number): void {
    const held = this.buf;
    if (held === null) return;
    // Every line must be in the one read the first came in (no concatenated line).
    if (held === UNKNOWN) {
      this.buf = buf;
      this.start = s;
    } else if (held !== buf) this.buf = null;
  }

  /** A folded line, or anything else the octets would not say as the encoder would. */
  drop(): void {
    this.buf = null;
  }

  /** A header line [s, end) (CRLF included) named `name` (interned); `ascii`: its value is printable ASCII. */
  header(name: string, ascii: boolean, s: number, end: number): void {
    if (this.buf === null) return;
    // Non-ASCII octets: the encoder writes the decoded text, not necessarily these octets.
    if (!ascii) {
      this.buf = null;
      return;
    }
    const kind = rewrittenKind(name);
    if (kind === 0) return;
    // A second line of a rewritten name: relayHeaders drops it, the slow path does that.
    if (kind === VISITED) {
      if (this.visited >= 0) this.buf = null;
      this.visited = s;
      this.visitedEnd = end;
    } else if (kind === FORWARDS) {
      if (this.forwards >= 0) this.buf = null;
      this.forwards = s;
      this.forwardsEnd = end;
    } else if (kind === STRENGTH) {
      if (this.strength >= 0) this.buf = null;
      this.strength = s;
      this.strengthEnd = end;
    } else {
      if (this.length >= 0) this.buf = null;
      this.length = s;
      this.lengthEnd = end;
    }
  }

  /** The blank line is at `blank`: the block, when kept. */
  take(blank: number): RawHeaders | undefined {
    const buf = this.buf;
    this.buf = null;
    if (buf === null || buf === UNKNOWN) return undefined;
    return {
      buf,
      start: this.start,
      end: blank,
      visitedStart: this.visited,
      visitedEnd: this.visitedEnd,
      forwardsStart: this.forwards,
      forwardsEnd: this.forwardsEnd,
      strengthStart: this.strength,
      strengthEnd: this.strengthEnd,
      lengthStart: this.length,
      lengthEnd: this.lengthEnd,
    };
  }
}

/** Writes `s` (ASCII) at `o`; returns the offset after it. */
function put(b: Buffer, s: string, o: number): number {
  for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
  return o;
}

function line(b: Buffer, name: string, value: string, o: number): number {
  o = put(b, name, o);
  b[o++] = 0x3a; // ':'
  b[o++] = 0x20;
  o = put(b, value, o);
  b[o++] = 0x0d;
  b[o++] = 0x0a;
  return o;
}

/** Octets `writeRelayed` may need beyond the block (an upper bound). */
export function rewriteBound(w: RawRewrite): number {
  return (
    w.visited.length +
    w.maxForwards.length +
    w.strength.length +
    (w.messageId === undefined ? 0 : w.messageId.length) +
    96
  );
}

/**
 * Writes the header lines of the relayed command at `o` in `b` (room reserved by the caller:
 * block length + `rewriteBound`): the received lines in order, the rewritten ones replaced in
 * place, the absent ones appended in `relayHeaders`' order (Visited, Max-Forwards, Astrength),
 * then Message-ID when added. No Content-Length and no blank line. Returns the offset after.
 */
export function writeRelayed(b: Buffer, o: number, raw: RawHeaders, w: RawRewrite): number {
  const src = raw.buf;
  let pos = raw.start;
  // Up to four cut lines; taken in octet order, the earliest next cut first.
  for (;;) {
    let kind = 0;
    let cut = raw.end;
    if (raw.visitedStart >= pos && raw.visitedStart < cut) {
      cut = raw.visitedStart;
      kind = VISITED;
    }
    if (raw.forwardsStart >= pos && raw.forwardsStart < cut) {
      cut = raw.forwardsStart;
      kind = FORWARDS;
    }
    if (raw.strengthStart >= pos && raw.strengthStart < cut) {
      cut = raw.strengthStart;
      kind = STRENGTH;
    }
    if (raw.lengthStart >= pos && raw.lengthStart < cut) {
      cut = raw.lengthStart;
      kind = LENGTH;
    }
    // Short runs by hand: a native copy costs more than the octets of a few header lines.
    if (cut - pos > 128) o += src.copy(b, o, pos, cut);
    else while (pos < cut) b[o++] = src[pos++]!;
    if (kind === 0) break;
    if (kind === VISITED) {
      o = line(b, 'Visited', w.visited, o);
      pos = raw.visitedEnd;
    } else if (kind === FORWARDS) {
      o = line(b, 'Max-Forwards', w.maxForwards, o);
      pos = raw.forwardsEnd;
    } else if (kind === STRENGTH) {
      o = line(b, 'Astrength', w.strength, o);
      pos = raw.strengthEnd;
    } else pos = raw.lengthEnd;
  }
  if (raw.visitedStart < 0) o = line(b, 'Visited', w.visited, o);
  if (raw.forwardsStart < 0) o = line(b, 'Max-Forwards', w.maxForwards, o);
  if (raw.strengthStart < 0) o = line(b, 'Astrength', w.strength, o);
  if (w.messageId !== undefined) o = line(b, 'Message-ID', w.messageId, o);
  return o;
}
