/**
 * A mail's attachments and the gateway's file store (issue 17, docs/files.md, docs/adapters/email.md
 * "Attachments"): an attachment travels inside the IM (a `multipart/mixed` part) when it is at
 * most `files.inlineMaxBytes` and fits the mail's inline budget (`content.maxAttachmentBytes`);
 * any other is kept by the file store and travels as a `message/external-body` link. A file the
 * store refuses (over `files.maxBytes`, a forbidden type, the sender's quota) becomes a note in
 * the text saying why; the mail is still delivered. Without a store, the translation's budget
 * and notes apply as before (translate.ts).
 */
import { linkOf, offloadFiles, refusedNote, type ExternalLink, type FileStorePort } from '../../src/index.js';
import type { MailAttachment } from './translate.js';

export interface SplitAttachments {
  readonly inline: readonly MailAttachment[];
  readonly links: readonly ExternalLink[];
  /** One line per refused file, for the text. */
  readonly notes: readonly string[];
}

/** Octets of base64 (RFC 2045 6.8) for `n` octets, as the inline budget counts them. */
const encoded = (n: number): number => Math.ceil(n / 3) * 4;

export async function splitAttachments(
  attachments: readonly MailAttachment[],
  store: FileStorePort | null,
  inlineBudget: number,
  owner: string,
): Promise<SplitAttachments> {
  if (store === null) return { inline: attachments, links: [], notes: [] };
  const inline: MailAttachment[] = [];
  const kept: MailAttachment[] = [];
  let budget = inlineBudget;
  for (const a of attachments) {
    const size = encoded(a.content.byteLength);
    if (a.content.byteLength <= store.inlineMaxBytes && size <= budget) {
      inline.push(a);
      budget -= size;
    } else kept.push(a);
  }
  // Every file left is kept, whatever its size: a small one over the budget too (inlineMaxBytes 0).
  const done = await offloadFiles({ ...portOf(store), inlineMaxBytes: 0 }, kept, owner);
  return { inline, links: done.links.map(linkOf), notes: done.refused.map(refusedNote) };
}

/** The port with its methods bound (spreading a class instance drops its prototype). */
function portOf(store: FileStorePort): FileStorePort {
  return {
    inlineMaxBytes: store.inlineMaxBytes,
    maxBytes: store.maxBytes,
    put: (bytes, meta) => store.put(bytes, meta),
    putText: (text, meta) => store.putText(text, meta),
  };
}
