/**
 * The content of an IM as the fields of a mail, through the core's one rendering path
 * (src/mime/render.ts, issue 20): the plain text (line ends LF here; nodemailer writes CRLF), the
 * HTML alternative when the content had formatting (a mail's HTML as sent, an IRC line's codes
 * or XHTML-IM through the formatting model), and the attachments with their bytes, which mail
 * forwards as attachments (RFC 2046 5.1.3) instead of naming them. Parts of a
 * `multipart/alternative` are never attachments: an IRC line's `text/x-irc` part becomes its
 * HTML, not a file. Content no part of which is text is sent as its attachments, with a line
 * naming them as the text. Pure: no I/O.
 */
import { MIME_READ_DEFAULTS, attachmentLine, renderContent, type MimeReadLimits } from '../../src/index.js';
import type { ImParts, MailAttachment } from './translate.js';

export interface MailContent {
  readonly text: string;
  readonly html?: string | undefined;
  readonly attachments: readonly MailAttachment[];
}

/** Rejects with MimeReadError when the entity cannot be read (a limit passed, a bad header). */
export async function renderForMail(
  parts: Pick<ImParts, 'contentType' | 'transferEncoding' | 'body'>,
  limits: MimeReadLimits = MIME_READ_DEFAULTS,
): Promise<MailContent> {
  const r = await renderContent(parts.contentType, parts.transferEncoding, parts.body, {
    limits,
    lenient: true,
  });
  // Issue 17 (docs/files.md): a file the gateway keeps travels as its link, a line of the text.
  const attachments = r.attachments
    .filter((a) => a.url === undefined)
    .map((a) => ({ filename: a.filename, contentType: a.type, content: a.content }));
  const links = r.hasText ? r.attachments.filter((a) => a.url !== undefined).map(attachmentLine) : [];
  const text = [(r.hasText ? r.body : r.text).replace(/\s+$/, ''), ...links]
    .filter((l) => l !== '')
    .join('\n');
  return { text, ...(r.html === undefined ? {} : { html: r.html }), attachments };
}
