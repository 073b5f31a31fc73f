/**
 * Files inside a message, for a network that carries no files but links (issue 17,
 * docs/files.md): IRC, and XMPP through XEP-0066. Each file part that came inline (a
 * `multipart/mixed` part, RFC 2046 5.1.3) is kept by the file store, and its line in the rendered
 * text (`attachmentLine`, src/mime/render.ts) becomes the link line `name (type, size): URL`, the
 * fallback docs/message-semantics.md gives for attachments. A file the store refuses keeps its
 * line, marked not passed on, and is listed with the reason for the sender's answer.
 */
import { attachmentLine, type MimeAttachment } from '../mime/index.js';
import { FileRefusedError, type FileStorePort } from './types.js';

export interface KeptInline {
  /** The text with each kept file's line replaced by its link line. */
  readonly text: string;
  /** The files: those kept now carry `url` (and the store's type, name and size). */
  readonly attachments: readonly MimeAttachment[];
  /** Files the store refused, each `name not passed on: why`. */
  readonly refused: readonly string[];
}

export async function keepInlineFiles(
  text: string,
  files: readonly MimeAttachment[],
  store: FileStorePort,
  owner: string | undefined,
): Promise<KeptInline> {
  let out = text;
  const refused: string[] = [];
  const attachments: MimeAttachment[] = [];
  for (const a of files) {
    if (a.url !== undefined) {
      attachments.push(a);
      continue;
    }
    const named = attachmentLine(a);
    let line: string;
    try {
      const f = await store.put(a.content, {
        ...(a.filename === undefined ? {} : { filename: a.filename }),
        declaredType: a.type,
        ...(owner === undefined ? {} : { owner }),
      });
      const kept = {
        type: f.contentType,
        filename: f.filename,
        octets: f.size,
        content: a.content,
        url: f.url,
        expiresAt: f.expiresAt,
      };
      attachments.push(kept);
      line = attachmentLine(kept);
    } catch (err) {
      if (!(err instanceof FileRefusedError)) throw err;
      attachments.push(a);
      line = `${named} (not passed on)`;
      refused.push(`${a.filename ?? a.type} not passed on: ${err.message}`);
    }
    const at = out.lastIndexOf(named);
    out = at < 0 ? `${out}\n${line}` : out.slice(0, at) + line + out.slice(at + named.length);
  }
  return { text: out, attachments, refused };
}
