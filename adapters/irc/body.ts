/**
 * Message bodies between IRC and the hub (docs/hub-protocol.md part 5.2): an IRC line becomes a
 * `message/cpim` object (RFC 3862) with From, To, DateTime and an encapsulated entity; a hub
 * payload (`message/cpim` or `text/plain`) becomes IRC text. Pure.
 *
 * The encapsulated entity is `text/plain; charset=UTF-8` when the line has no formatting, else
 * `multipart/alternative` (RFC 2046 5.1.4, least preferred first): text/plain (codes stripped),
 * `text/x-irc` (the line exactly as IRC sent it, so IRC to IRC passes codes through unchanged)
 * and text/html (the canonical rich form).
 */
import { HubError, buildCpim, parseCpim, withCpimFacts } from '../../src/index.js';
// The core's one rendering path (src/mime/render.ts), kept on its own line apart from the codec imports above.
import {
  IRC_TEXT_TYPE,
  MIME_READ_DEFAULTS,
  MimeReadError,
  renderContent,
  type MimeAttachment,
  type MimeReadLimits,
  type RenderedContent,
} from '../../src/index.js';
import { hasFormatting, ircToHtml, stripIrc } from './format.js';

export const CPIM_TYPE = 'message/cpim';
export { IRC_TEXT_TYPE };

export interface InboundMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly date: Date;
}

/** A stable boundary that cannot occur in the parts (they are built from one IRC line). */
function boundary(text: string): string {
  let b = 'irc-alt';
  while (text.includes(b)) b += '-x';
  return b;
}

export function buildInboundPayload(m: InboundMessage): Uint8Array {
  const base = {
    from: { uri: m.from },
    to: [{ uri: m.to }],
    dateTime: m.date,
    startsWith: 'cpim-headers' as const,
  };
  if (!hasFormatting(m.text))
    return toBytes(
      buildCpim({ ...base, contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']], body: m.text }),
    );
  const b = boundary(m.text + ircToHtml(m.text));
  const part = (type: string, body: string) =>
    `--${b}\r\nContent-Type: ${type}; charset=UTF-8\r\n\r\n${body}\r\n`;
  const body =
    part('text/plain', stripIrc(m.text)) +
    part(IRC_TEXT_TYPE, m.text) +
    part('text/html', ircToHtml(m.text)) +
    `--${b}--\r\n`;
  return toBytes(
    buildCpim({
      ...base,
      contentHeaders: [['Content-Type', `multipart/alternative; boundary="${b}"`]],
      body,
    }),
  );
}

function toBytes(x: Uint8Array | string): Uint8Array {
  return typeof x === 'string' ? new TextEncoder().encode(x) : x;
}

// --- Hub → IRC --------------------------------------------------------------------------------

interface MediaType {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

/** RFC 2045 5.1: type "/" subtype *(";" parameter), parameter values token or quoted-string. */
export function parseMediaType(value: string): MediaType {
  const [head = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const m of rest.join(';').matchAll(/\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g))
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return { type: head.trim().toLowerCase(), params };
}

/** IRC text of an entity, and the files inside it the adapter may link (issue 17, files.ts). */
interface IrcText {
  readonly text: string;
  readonly files?: readonly MimeAttachment[];
}

/**
 * IRC text of one MIME entity, through the core's rendering path: the line as IRC wrote it, else
 * HTML with its formatting as IRC codes, else the text; attachments named on lines of their own
 * (a linked file with its link, docs/files.md). An entity no part of which is text is refused:
 * IRC cannot carry it; unless `keepFiles` (the file store is on), when its files are handed back
 * with the text naming them, for the adapter to replace each name by a link.
 */
function entityToIrc(
  contentType: string,
  encoding: string | undefined,
  body: Uint8Array,
  limits: MimeReadLimits,
  keepFiles: boolean,
): IrcText | Promise<IrcText> {
  const ircOf = (r: RenderedContent): IrcText => {
    const inside = r.attachments.filter((a) => a.url === undefined);
    if (!r.hasText && (r.attachments.length === 0 || (inside.length > 0 && !keepFiles))) {
      const types = r.attachments.length > 0 ? r.attachments.map((a) => a.type).join(', ') : '';
      throw new HubError(
        'malformed',
        `IRC cannot carry ${types || parseMediaType(contentType).type || 'this content'}`,
      );
    }
    const text = r.hasText ? r.irc : r.text;
    return keepFiles && inside.length > 0 ? { text, files: inside } : { text };
  };
  let r: RenderedContent | Promise<RenderedContent>;
  try {
    r = renderContent(contentType, encoding, body, { limits });
  } catch (err) {
    throw asHubError(err);
  }
  if (!(r instanceof Promise)) return ircOf(r);
  return r.then(ircOf, (err: unknown) => {
    throw asHubError(err);
  });
}

function asHubError(err: unknown): unknown {
  return err instanceof MimeReadError ? new HubError('malformed', err.message) : err;
}

export interface OutboundText {
  /** IRC text; lines separated by "\n". */
  readonly text: string;
  /** The CPIM From, when there was one: what the author's software claimed, not the author. */
  readonly from?: string;
  /** Its display name, when it had one. */
  readonly fromName?: string;
  /**
   * With `keepFiles`: the files inside the message (their bytes), each named in `text` by its
   * attachment line, for the adapter to keep and link (files.ts).
   */
  readonly files?: readonly MimeAttachment[];
}

/**
 * A hub payload as IRC text (docs/hub-protocol.md part 5.2; IMTP's default type is text/plain): at
 * once for plain UTF-8 text, else once the core has read the MIME entity.
 */
export function readOutbound(
  contentType: string | undefined,
  payload: Uint8Array,
  limits: MimeReadLimits = MIME_READ_DEFAULTS,
  keepFiles = false,
): OutboundText | Promise<OutboundText> {
  const mt = parseMediaType(contentType ?? 'text/plain; charset=UTF-8');
  if (mt.type !== CPIM_TYPE)
    return withFrom(entityToIrc(contentType ?? 'text/plain', undefined, payload, limits, keepFiles));
  const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
  if (r.result === 'reject' || r.message === undefined)
    throw new HubError('malformed', `bad message/cpim: ${r.result === 'reject' ? r.reason : 'unreadable'}`);
  const msg = r.message;
  const header = (name: string) => msg.contentHeaders.find((h) => h.name.toLowerCase() === name)?.value;
  const text = entityToIrc(
    header('content-type') ?? 'text/plain',
    header('content-transfer-encoding'),
    msg.body,
    limits,
    keepFiles,
  );
  return withFrom(text, msg.semantics.from?.uri, msg.semantics.from?.formalName ?? undefined);
}

function withFrom(
  text: IrcText | Promise<IrcText>,
  from?: string,
  fromName?: string,
): OutboundText | Promise<OutboundText> {
  const make = (t: IrcText): OutboundText => ({
    ...t,
    ...(from === undefined ? {} : { from }),
    ...(from === undefined || fromName === undefined ? {} : { fromName }),
  });
  return text instanceof Promise ? text.then(make) : make(text);
}

// --- Fast path (docs/architecture.md part 11) ------------------------------------------------------------

const PLAIN_TYPE = 'text/plain; charset=UTF-8';
const PLAIN_CONTENT = `\r\n\r\nContent-Type: ${PLAIN_TYPE}\r\n\r\n`;
const PLAIN_CONTENT_BYTES = Buffer.from(PLAIN_CONTENT, 'latin1');
const PREFIX_CACHE_SIZE = 4096;

/** A plain line can take the fast path: no IRC formatting, and UTF-8 can encode it (no lone surrogate). */
function isPlainLine(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      // hasFormatting's codes (format.ts): bold, italic, underline, strike, monospace, reverse, reset, colours.
      if (
        c === 0x02 ||
        c === 0x1d ||
        c === 0x1f ||
        c === 0x1e ||
        c === 0x11 ||
        c === 0x16 ||
        c === 0x0f ||
        c === 0x03 ||
        c === 0x04
      )
        return false;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c > 0xdbff || i + 1 >= text.length) return false;
      const d = text.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    }
  }
  return true;
}

/**
 * Builds inbound payloads like `buildInboundPayload`, byte for byte, but cheaply for the common
 * plain line: the `From`/`To` header block is encoded once per (sender, target) pair, the
 * DateTime text once per second, and the payload is one Buffer assembled from them. Anything
 * else (formatting, lone surrogates, a date buildCpim would refuse, a pair whose header block
 * buildCpim writes differently) takes `buildInboundPayload`.
 */
export class InboundPayloadBuilder {
  /** "From: <from>\r\nTo: <to>\r\nDateTime: " by to, then from; null = use the slow path. */
  private readonly prefixes = new Map<string, Map<string, Prefix | null>>();
  private prefixCount = 0;
  private second = NaN;
  private dateText = '';

  /** `dateMs`: the line's time (ms since the epoch). */
  build(from: string, to: string, text: string, dateMs: number): Uint8Array {
    if (!isPlainLine(text)) return buildInboundPayload({ from, to, text, date: new Date(dateMs) });
    const date = this.dateFor(dateMs);
    if (date === null) return buildInboundPayload({ from, to, text, date: new Date(dateMs) });
    let byFrom = this.prefixes.get(to);
    let prefix = byFrom?.get(from);
    if (prefix === undefined) {
      prefix = this.makePrefix(from, to, date);
      if (this.prefixCount >= PREFIX_CACHE_SIZE) {
        this.prefixes.clear();
        this.prefixCount = 0;
        byFrom = undefined;
      }
      if (byFrom === undefined) {
        byFrom = new Map();
        this.prefixes.set(to, byFrom);
      }
      byFrom.set(from, prefix);
      this.prefixCount++;
    }
    if (prefix === null) return buildInboundPayload({ from, to, text, date: new Date(dateMs) });
    const head = prefix.bytes;
    const bodyLength = Buffer.byteLength(text, 'utf8');
    const out = Buffer.allocUnsafe(head.length + date.length + PLAIN_CONTENT_BYTES.length + bodyLength);
    let at = head.copy(out, 0);
    at += out.write(date, at, 'latin1');
    at += PLAIN_CONTENT_BYTES.copy(out, at);
    out.write(text, at, 'utf8');
    // What parseCpim would read back (body.test.ts checks it), for a reader in this process.
    if (prefix.facts) withCpimFacts(out, { from, dateTime: date, contentType: PLAIN_TYPE, text });
    return out;
  }

  /** The DateTime text of `ms` (formatDateTime), or null when buildCpim would not take it. */
  private dateFor(ms: number): string | null {
    // new Date() truncates a fractional time towards zero (ECMA-262 TimeClip).
    const s = Math.floor(Math.trunc(ms) / 1000);
    if (s === this.second) return this.dateText;
    if (!Number.isFinite(ms)) return null;
    const d = new Date(ms);
    if (Number.isNaN(d.getTime())) return null;
    // formatDateTime (src/model/datetime.ts); buildCpim decides whether the value is acceptable.
    const text = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (text.length !== 20) return null;
    try {
      buildCpim({
        startsWith: 'cpim-headers',
        dateTime: d,
        contentHeaders: [['Content-Type', 'text/plain']],
      });
    } catch {
      return null;
    }
    this.second = s;
    this.dateText = text;
    return text;
  }

  /**
   * The header block before the date, checked once against buildCpim's own output; facts are
   * recorded for the pair's payloads when parseCpim reads this From and DateTime back.
   */
  private makePrefix(from: string, to: string, date: string): Prefix | null {
    let reference: Uint8Array;
    try {
      reference = buildInboundPayload({ from, to, text: '', date: new Date(date) });
    } catch {
      return null;
    }
    const bytes = Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nDateTime: `, 'utf8');
    const fast = Buffer.concat([bytes, Buffer.from(date, 'latin1'), PLAIN_CONTENT_BYTES]);
    if (!fast.equals(reference)) return null;
    const r = parseCpim(reference, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
    const facts =
      r.result !== 'reject' &&
      r.message !== undefined &&
      r.message.semantics.from?.uri === from &&
      r.message.semantics.datetime === date &&
      r.message.contentHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value === PLAIN_TYPE;
    return { bytes, facts };
  }
}

interface Prefix {
  readonly bytes: Buffer;
  /** parseCpim reads From and DateTime back as written (see withCpimFacts). */
  readonly facts: boolean;
}
