/**
 * The line that names an attachment for a reader who sees text only (IRC, a notice in a mail,
 * XMPP, the web page's plain form). A linked file (a `message/external-body` part, issue 17) is
 * named with its link, as docs/message-semantics.md's fallback for attachments writes it:
 * `name (type, size): URL`; a file inside the message by its type, name and size. Pure.
 */
import type { MimeAttachment } from './readable.js';

/** Octets as people read them: `812 B`, `300 KiB`, `4.5 MiB` (binary units, IEC 80000-13). */
export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[u]}`;
}

export function attachmentLine(a: MimeAttachment): string {
  if (a.url !== undefined)
    return `${a.filename ?? 'file'} (${a.type}${a.octets > 0 ? `, ${sizeText(a.octets)}` : ''}): ${a.url}`;
  return `[${a.type} attachment${a.filename ? ` ${a.filename}` : ''}, ${a.octets} octets]`;
}
