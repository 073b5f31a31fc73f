/**
 * Files to XMPP as links (issue 17, docs/files.md): XEP-0066 Out of Band Data, `jabber:x:oob`
 * in a message (XEP-0066 §3.2: `<x xmlns='jabber:x:oob'><url/></x>`). A file the gateway keeps
 * arrives in the CPIM object as a `message/external-body` link part (src/mime/external-body.ts);
 * each such link goes out as one `<x>` beside the body. When the message is only one linked
 * file, its `<body/>` is the URL alone: clients that show a link as its content (the convention
 * of Conversations, Dino, Gajim) show the image inline only when body and OOB URL are the same.
 * Pure.
 */
import { xml, type Element } from '@xmpp/component';
import type { MimeAttachment, RenderedContent } from '../../src/index.js';

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
