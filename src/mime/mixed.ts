/**
 * A `multipart/mixed` entity (RFC 2046 5.1.3) of a text and attachments: the first part the
 * text (the caption, maybe empty), then each file inside the message (base64, RFC 2045 6.8,
 * with `Content-Disposition: attachment` and its name, RFC 2183) and each file kept by the
 * gateway as a `message/external-body` link (external-body.ts). What adapters that receive files
 * write as the IM's content (docs/files.md). Pure.
 */
import { externalBodyPart, type ExternalLink } from './external-body.js';

export interface InlineFile {
  readonly filename?: string | undefined;
  readonly contentType: string;
  readonly content: Uint8Array;
}

export interface MixedEntity {
  readonly contentType: string;
  readonly body: Buffer;
}

/** RFC 2045 6.8 base64, in lines of 76 characters. */
function base64Lines(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 76) out.push(b.slice(i, i + 76));
  return out.join('\r\n');
}

/** A parameter: quoted ASCII, else RFC 2231 4 `name*=UTF-8''…`. */
function param(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}="${value.replace(/["\\]/g, '\\$&')}"`;
  const pct = encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${name}*=UTF-8''${pct}`;
}

function safeType(ct: string): string {
  const t = ct.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : 'application/octet-stream';
}

/** The text (LF or CRLF lines), the files inside, the linked files; `boundary` made unique. */
export function buildMixed(
  text: string,
  inline: readonly InlineFile[],
  links: readonly ExternalLink[],
  boundary: string,
): MixedEntity {
  const parts: string[] = [
    `Content-Type: text/plain; charset=UTF-8\r\n\r\n${text.replace(/\r?\n/g, '\r\n')}`,
  ];
  for (const a of inline) {
    const name = a.filename ?? 'attachment';
    parts.push(
      `Content-Type: ${safeType(a.contentType)}; ${param('name', name)}\r\n` +
        `Content-Disposition: attachment; ${param('filename', name)}\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.content)}`,
    );
  }
  for (const l of links) parts.push(externalBodyPart(l));
  // RFC 2046 5.1.1: the boundary must not occur in any part.
  let b = boundary;
  while (parts.some((p) => p.includes(b))) b += '_';
  return {
    contentType: `multipart/mixed; boundary="${b}"`,
    body: Buffer.from(parts.map((p) => `--${b}\r\n${p}\r\n`).join('') + `--${b}--\r\n`, 'utf8'),
  };
}
