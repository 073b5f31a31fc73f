/**
 * Files and long messages on IRC through the gateway's file store (issue 17, docs/files.md,
 * docs/adapters/irc.md "Files and long messages"). IRC carries text only, so:
 * - a file inside the message (a `multipart/mixed` part, RFC 2046 5.1.3) is kept by the store
 *   and its line becomes `name (type, size): URL`, the fallback docs/message-semantics.md gives
 *   for attachments; a file already linked (`message/external-body`) shows that way as it is;
 * - a message longer than `maxLinesPerMessage` lines under the `link` policy is kept whole as
 *   text/plain, and IRC gets its first line and `(full message: URL)`, the way
 *   matrix-appservice-irc's lineLimit does, cut on the final rendered text.
 * Without a store (`files.enabled: false`) both fall back: the file is named without a link (or
 * refused when it is all the message holds), the long message is split as `split` does.
 */
import {
  attachmentLine,
  FileRefusedError,
  HubError,
  keepInlineFiles,
  type FileStorePort,
  type MimeAttachment,
} from '../../src/index.js';
import { byteLength, clipLine, splitMessage } from './translate.js';

export interface LinkedFiles {
  readonly text: string;
  /** Files the store refused, each `name: why`, for the answer's `Irc-Clipped`. */
  readonly refused: readonly string[];
}

/**
 * Replaces each file's attachment line in `text` by its link line (the core's keepInlineFiles);
 * a file the store refuses keeps its line, marked not passed on, and is listed with the reason.
 * Rejects with `malformed` when a file is all the message holds and there is no store.
 */
export async function linkFiles(
  text: string,
  files: readonly MimeAttachment[],
  store: FileStorePort | null,
  owner: string,
): Promise<LinkedFiles> {
  if (store !== null) return keepInlineFiles(text, files, store, owner);
  for (const a of files)
    if (a.url === undefined && text.trim() === attachmentLine(a))
      throw new HubError('malformed', `IRC cannot carry ${a.type}`);
  return { text, refused: [] };
}

export interface LinkedText {
  readonly text: string;
  /** For the answer's `Irc-Clipped`. */
  readonly clipped: string;
}

/**
 * The `link` policy: null when the text fits in `maxLines` lines of `budget` octets (it is split
 * as usual), else its first line and `(full message: URL)` in one line, the whole text kept. A
 * store that refuses the text (too long for it, quota) leaves the `split` policy's clipping.
 */
export async function linkLongText(
  text: string,
  budget: number,
  maxLines: number,
  store: FileStorePort | null,
  owner: string,
): Promise<LinkedText | null> {
  if (store === null) return null;
  // The common chat line (one line within the budget) is never long: no split on the hot path,
  // where plan() splits the text again anyway.
  if (!/[\r\n]/.test(text) && byteLength(text) <= budget) return null;
  const lines = splitMessage(text, budget);
  if (lines.length <= maxLines) return null;
  let url: string;
  try {
    url = (await store.putText(text, { filename: 'message.txt', owner })).url;
  } catch (err) {
    if (err instanceof FileRefusedError) return null;
    throw err;
  }
  const suffix = ` (full message: ${url})`;
  const first = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '';
  const room = budget - byteLength(suffix);
  // A link longer than the line leaves it alone on the line (a reader still gets the link).
  const head = room > 8 ? clipLine(`${first} …`, room) : '';
  return {
    text: head === '' ? suffix.trim() : `${head}${suffix}`,
    clipped: `1 of ${lines.length} lines sent; full message at ${url}`,
  };
}
