/**
 * Files to XMPP as links (issue 17, docs/files.md): XEP-0066 Out of Band Data, `jabber:x:oob`
 * in a message (XEP-0066 §3.2: `<x xmlns='jabber:x:oob'><url/></x>`). A file the gateway keeps
 * arrives in the CPIM object as a `message/external-body` link part (src/mime/external-body.ts);
 * each such link goes out as one `<x>` beside the body. When the message is only one linked
 * file, its `<body/>` is the URL alone: clients that show a link as its content (the convention
 * of Conversations, Dino, Gajim) show the image inline only when body and OOB URL are the same.
 * The other way, such a message from an XMPP user is a file: `fileLinkOf` (message-map.ts makes
 * it a `message/external-body` link part). Pure.
 */
import { xml, type Element } from '@xmpp/component';
import type { ExternalLink, MimeAttachment, RenderedContent } from '../../src/index.js';

export const NS_OOB = 'jabber:x:oob';

/** The links of a rendered message's files kept by the gateway. */
export function linkedUrls(attachments: readonly MimeAttachment[]): string[] {
  return attachments.filter((a) => a.url !== undefined).map((a) => a.url!);
}

/**
 * True when a message with no text may still go: all its parts are linked files (RFC 3922
 * §4.2.9 keeps non-text out of `<body/>`; a link is text).
 */
export function onlyLinks(e: Pick<RenderedContent, 'attachments'>): boolean {
  return e.attachments.length > 0 && e.attachments.every((a) => a.url !== undefined);
}

/** The `<body/>` text: the URL alone for a lone linked file, else the text with its link lines. */
export function oobBody(e: Pick<RenderedContent, 'attachments' | 'hasText' | 'text'>): string {
  const urls = linkedUrls(e.attachments);
  return !e.hasText && urls.length === 1 && e.attachments.length === 1 ? urls[0]! : e.text;
}

/** One `<x xmlns='jabber:x:oob'><url/></x>` per link (XEP-0066 §3.2). */
export function oobElements(urls: readonly string[] | undefined): Element[] {
  return (urls ?? []).map((u) => xml('x', { xmlns: NS_OOB }, xml('url', {}, u)));
}

/** The `jabber:x:oob` URLs of a stanza (XEP-0066 §3.2), http(s) only, at most `max`. */
export function readOobUrls(children: readonly Element[], max = 8): string[] {
  return children
    .filter((c) => c.getName() === 'x' && c.getNS() === NS_OOB)
    .map((x) => (x.getChildText('url') ?? '').trim())
    .filter((u) => /^https?:\/\/[\x21-\x7e]+$/.test(u) && !/["\\]/.test(u))
    .slice(0, max);
}

/**
 * An XMPP user's file (XEP-0363 §1: a client uploads to its server's upload service, then sends
 * the GET URL as the body AND as a XEP-0066 `<url>`; clients show it as a file only when both are
 * the same): the link, named by its last path segment. Its type and size are not in the stanza and
 * the gateway does not fetch a foreign URL, so the type is `application/octet-stream` and the size
 * 0 (unknown, as `readExternalBody` reads a part without one). Null: an ordinary message.
 */
export function fileLinkOf(
  body: string | undefined,
  oob: readonly string[] | undefined,
): ExternalLink | null {
  const url = body?.trim();
  if (url === undefined || oob === undefined || !oob.includes(url)) return null;
  return { url, contentType: 'application/octet-stream', filename: lastSegment(url), size: 0 };
}

function lastSegment(url: string): string {
  const seg = url.split(/[?#]/)[0]!.split('/').pop() ?? '';
  try {
    return [...decodeURIComponent(seg)].filter((c) => c >= ' ' && c !== '\x7f').join('') || 'file';
  } catch {
    return seg || 'file';
  }
}
