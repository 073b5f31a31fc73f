/**
 * One rendering path for content (issue 20): every adapter that shows a message to people (IRC,
 * mail, XMPP, the web page) renders the body the core carries through here, whatever adapter wrote
 * it. What each network takes from the result:
 * - `multipart/alternative` (RFC 2046 5.1.4): the plain text for plain networks; the formatted form
 *   (`runs`, `html`, `irc`) where the network has formatting, from the IRC `text/x-irc` part or the
 *   `text/html` part, both read by the one formatting model (format.ts);
 * - `multipart/mixed` (RFC 2046 5.1.3): its text parts in order, its attachments named on lines of
 *   their own (`text`) and kept with their bytes (`attachments`, for mail, which forwards them);
 * - a placeholder `[type content, N octets]` only when no part of the content is text.
 * Line ends are LF in every text (RFC 5322 2.3 writes CRLF on the wire; a chat line shows none).
 * Pure: no I/O; the MIME reading is readable.ts.
 */
import { htmlToIrc, htmlToRuns, isStyled, parseIrc, runsToHtml, type Run } from './format.js';
import {
  MIME_READ_DEFAULTS,
  MimeReadError,
  readMimeEntity,
  type MimeAttachment,
  type MimeReadLimits,
  type ReadableEntity,
} from './readable.js';

/** The media type the IRC adapter writes its formatted line as (the line exactly as IRC sent it). */
export const IRC_TEXT_TYPE = 'text/x-irc';

export interface RenderedContent {
  /** The plain text, attachments named on lines of their own: what a plain-text reader is shown. */
  readonly text: string;
  /** The plain text alone, without the attachment lines (mail forwards the attachments instead). */
  readonly body: string;
  /**
   * The IRC form, attachments named: the `text/x-irc` part as written (IRC to IRC unchanged), else
   * the HTML through the formatting model, else the plain text with control characters removed.
   */
  readonly irc: string;
  /** The formatted form in the model, when the content had formatting (IRC codes or HTML). */
  readonly runs?: readonly Run[];
  /** HTML for networks that show it: the HTML part as sent, else the IRC line in HTML. */
  readonly html?: string;
  readonly attachments: readonly MimeAttachment[];
  /** False when no part of the content is text: `text` then names its parts (or is a placeholder). */
  readonly hasText: boolean;
}

export interface RenderOptions {
  readonly limits?: MimeReadLimits;
  /**
   * Invalid UTF-8 in a plain UTF-8 text: refused (MimeReadError) by default; with `lenient`, shown
   * with U+FFFD (the web page shows what came rather than nothing).
   */
  readonly lenient?: boolean;
}

/* eslint-disable-next-line no-control-regex -- the C0 controls a reader must not be sent raw */
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** CRLF and lone CR as LF (a mail's text/plain is CRLF on the wire, RFC 2046 4.1.1). */
export function normalizeLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** The placeholder for content no part of which is text. */
export function contentPlaceholder(type: string, octets: number): string {
  return `[${type} content, ${octets} octets]`;
}

export { attachmentLine } from './attachment-line.js';
import { attachmentLine } from './attachment-line.js';

function params(contentType: string): { type: string; charset: string } {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  return { type, charset };
}

/** UTF-8 (or US-ASCII) text without a transfer encoding (RFC 2045 6.2 identity): read at once. */
function isPlainUtf8(charset: string, transferEncoding: string | undefined): boolean {
  const cte = (transferEncoding ?? '7bit').trim().toLowerCase();
  return (
    (charset === 'utf-8' || charset === 'us-ascii') && (cte === '7bit' || cte === '8bit' || cte === 'binary')
  );
}

function plain(text: string): RenderedContent {
  // The IRC form only when asked for (the hot path of the other networks never needs it).
  return {
    text,
    body: text,
    get irc() {
      return text.replace(CONTROLS, '');
    },
    attachments: [],
    hasText: true,
  };
}

function ircLine(text: string): RenderedContent {
  const runs = parseIrc(text);
  const shown = runs.map((r) => r.text).join('');
  return {
    text: shown,
    body: shown,
    irc: text,
    ...(isStyled(runs) ? { runs, html: runsToHtml(runs) } : {}),
    attachments: [],
    hasText: true,
  };
}

function decode(bytes: Uint8Array, lenient: boolean): string {
  if (lenient) return lenientUtf8.decode(bytes);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new MimeReadError('the text is not valid UTF-8');
  }
}

/**
 * Renders a read MIME entity (readable.ts) for every kind of reader; `type` and `octets` are the
 * entity's own, for the placeholder of content that is neither text nor parts.
 */
export function renderEntity(e: ReadableEntity, type: string, octets: number): RenderedContent {
  const notes = e.attachments.map(attachmentLine);
  const withNotes = (t: string) => [t, ...notes].filter((line) => line !== '').join('\n');
  const xirc = e.otherText.find((p) => p.type === IRC_TEXT_TYPE);
  const hasText = xirc !== undefined || e.html !== undefined || e.text !== '';
  if (!hasText) {
    const shown = notes.length > 0 ? notes.join('\n') : contentPlaceholder(type, octets);
    return { text: shown, body: '', irc: shown, attachments: e.attachments, hasText: false };
  }
  const body = normalizeLineEnds(e.text);
  const ircText = normalizeLineEnds(xirc?.text ?? (e.html !== undefined ? htmlToIrc(e.html) : body));
  const runs = xirc !== undefined ? parseIrc(ircText) : e.html !== undefined ? htmlToRuns(e.html) : undefined;
  const styled = runs !== undefined && isStyled(runs);
  const html = e.html ?? (styled ? runsToHtml(runs) : undefined);
  return {
    text: withNotes(body),
    body,
    // Codes written by IRC or by the model are kept; a plain text's control characters are not.
    irc: withNotes(runs !== undefined ? ircText : ircText.replace(CONTROLS, '')),
    ...(styled ? { runs } : {}),
    ...(html === undefined ? {} : { html }),
    attachments: e.attachments,
    hasText: true,
  };
}

/**
 * Renders one MIME entity given its Content-Type and Content-Transfer-Encoding (RFC 2045 5, 6):
 * a UTF-8 text/plain or text/x-irc entity at once (the fast path, docs/architecture.md part 11),
 * anything else once the MIME reader has read it. Rejects with MimeReadError when the entity
 * cannot be read (a limit passed, a header value unusable, invalid UTF-8 unless lenient).
 */
export function renderContent(
  contentType: string | undefined,
  transferEncoding: string | undefined,
  body: Uint8Array,
  options: RenderOptions = {},
): RenderedContent | Promise<RenderedContent> {
  const ct = contentType ?? 'text/plain; charset=UTF-8';
  const { type, charset } = params(ct);
  if ((type === 'text/plain' || type === IRC_TEXT_TYPE) && isPlainUtf8(charset, transferEncoding)) {
    const text = normalizeLineEnds(decode(body, options.lenient === true));
    return type === IRC_TEXT_TYPE ? ircLine(text) : plain(text);
  }
  return readMimeEntity(ct, transferEncoding, body, options.limits ?? MIME_READ_DEFAULTS).then((e) =>
    renderEntity(e, type, body.byteLength),
  );
}
