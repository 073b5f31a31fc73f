/**
 * The readable text of a MIME entity (RFC 2045-2049), for every adapter that shows messages as
 * text: the best alternative of a multipart/alternative (RFC 2046 5.1.4: the last part that can
 * be shown), the text parts of a multipart/mixed in order (RFC 2046 5.1.3), charsets (RFC 2046
 * 4.1.2) and transfer encodings (RFC 2045 6) decoded; what is not text is listed, not dropped.
 * Parsing is postal-mime's (a maintained, dependency-free MIME parser); HTML without a plain
 * alternative becomes text through html-to-text. No I/O: the entity is in memory.
 */
import { convert } from 'html-to-text';
import PostalMime from 'postal-mime';
import { attachmentLine } from './attachment-line.js';
import { EXTERNAL_BODY, readExternalBody } from './external-body.js';

/** A text/* part that is neither text/plain nor text/html (text/x-irc, say), decoded as UTF-8. */
export interface MimeTextPart {
  readonly type: string;
  readonly text: string;
}

/** A part that is not shown as text: named so that a reader knows it was there. */
export interface MimeAttachment {
  readonly type: string;
  readonly filename?: string;
  readonly octets: number;
  /** Its decoded bytes (mail forwards them; chat networks name them); empty for a linked file. */
  readonly content: Uint8Array;
  /**
   * Issue 17: a file kept by a gateway and linked, not carried (a `message/external-body;
   * access-type=URL` part, RFC 2046 5.2.3, RFC 2017; external-body.ts): its link. `type`,
   * `filename` and `octets` are then the linked file's.
   */
  readonly url?: string;
  /** When the link stops working (milliseconds since the epoch), when the part says. */
  readonly expiresAt?: number;
}

export interface ReadableEntity {
  /** The text to show: text/plain content, else the HTML rendered as text; '' when none. */
  readonly text: string;
  /** The text/html content, when the entity had some (for adapters that render rich text). */
  readonly html?: string;
  /** Other text/* parts, e.g. the `text/x-irc` alternative the IRC adapter writes. */
  readonly otherText: readonly MimeTextPart[];
  readonly attachments: readonly MimeAttachment[];
}

export interface MimeReadLimits {
  /** Deepest multipart nesting read; deeper entities are refused (postal-mime EMAXNESTINGDEPTH). */
  readonly maxDepth: number;
  /** Most parts read in one entity (postal-mime EMAXPARTCOUNT). */
  readonly maxParts: number;
}

/** Defaults of the limits (adapters take theirs from their configuration). */
export const MIME_READ_DEFAULTS: MimeReadLimits = { maxDepth: 8, maxParts: 100 };

/** Thrown when an entity cannot be read; `message` says why (for the sender's answer). */
export class MimeReadError extends Error {
  override readonly name = 'MimeReadError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const FOLDED = /[\r\n]/;

/**
 * Reads `body` as the entity its `Content-Type` (and `Content-Transfer-Encoding`, RFC 2045 6.1)
 * describe. Rejects with MimeReadError when a limit is passed or a header value is unusable.
 */
export async function readMimeEntity(
  contentType: string,
  transferEncoding: string | undefined,
  body: Uint8Array,
  limits: MimeReadLimits = MIME_READ_DEFAULTS,
): Promise<ReadableEntity> {
  if (FOLDED.test(contentType) || (transferEncoding !== undefined && FOLDED.test(transferEncoding)))
    throw new MimeReadError('a content header holds a line break');
  // A single part that is not text, in an identity encoding (RFC 2045 6.2): nothing to decode.
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const cte = (transferEncoding ?? '7bit').trim().toLowerCase();
  if (type === EXTERNAL_BODY) {
    const linked = linkedFile(contentType, Buffer.from(body).toString('utf8'));
    if (linked !== null) return { text: '', otherText: [], attachments: [linked] };
  }
  if (!/^(text|multipart|message)\//.test(type) && (cte === '7bit' || cte === '8bit' || cte === 'binary'))
    return { text: '', otherText: [], attachments: [{ type, octets: body.byteLength, content: body }] };
  // The entity's own header section, then its body: a MIME entity as RFC 2045 3 writes it.
  const head =
    `Content-Type: ${contentType}\r\n` +
    (transferEncoding ? `Content-Transfer-Encoding: ${transferEncoding}\r\n` : '') +
    '\r\n';
  const raw = Buffer.concat([Buffer.from(head, 'utf8'), body]);
  let email;
  try {
    email = await PostalMime.parse(raw, {
      maxNestingDepth: limits.maxDepth,
      maxPartCount: limits.maxParts,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (err) {
    throw new MimeReadError(`the MIME entity cannot be read: ${(err as Error).message}`);
  }
  const otherText: MimeTextPart[] = [];
  const attachments: MimeAttachment[] = [];
  for (const a of email.attachments) {
    const bytes = new Uint8Array(a.content as ArrayBuffer);
    const type = a.mimeType.toLowerCase();
    if (type === EXTERNAL_BODY) {
      // postal-mime hands the part over without its parameters: the encapsulated header's
      // Content-Location holds the link (external-body.ts).
      const linked = linkedFile(undefined, Buffer.from(bytes).toString('utf8'));
      if (linked !== null) {
        attachments.push(linked);
        continue;
      }
    }
    // An unnamed inline text/* part is text that postal-mime does not show (text/x-irc, say).
    if (type.startsWith('text/') && a.disposition !== 'attachment' && a.filename === null) {
      const text = decodeUtf8(bytes);
      if (text !== null) {
        otherText.push({ type, text: trimEnd(text) });
        continue;
      }
    }
    attachments.push({
      type,
      octets: bytes.byteLength,
      content: bytes,
      ...(a.filename ? { filename: a.filename } : {}),
    });
  }
  const html = email.html === undefined ? undefined : trimEnd(email.html);
  const text =
    email.text !== undefined
      ? trimEnd(email.text)
      : html !== undefined
        ? convert(html, {
            wordwrap: false,
            selectors: [{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } }],
          })
        : '';
  return { text, ...(html === undefined ? {} : { html }), otherText, attachments };
}

/**
 * The entity as one text for a reader: its text, then a line per attachment naming it, so a
 * picture sent from mail shows as `[image/png attachment photo.png, 2048 octets]` (render.ts
 * does the same for every reader; this is its plain form).
 */
export function readableText(e: ReadableEntity): string {
  const notes = e.attachments.map(attachmentLine);
  return [e.text, ...notes].filter((line) => line !== '').join('\n');
}

/** A linked file as an attachment with no bytes, or null when the part names no http(s) link. */
function linkedFile(outerType: string | undefined, encapsulated: string): MimeAttachment | null {
  const link = readExternalBody(outerType, encapsulated);
  if (link === null) return null;
  return {
    type: link.contentType,
    filename: link.filename,
    octets: link.size,
    content: new Uint8Array(0),
    url: link.url,
    ...(link.expiresAt === undefined ? {} : { expiresAt: link.expiresAt }),
  };
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** postal-mime keeps the line break that ends a single-part body; a chat line has none. */
function trimEnd(text: string): string {
  return text.replace(/(?:\r?\n)+$/, '');
}
