/**
 * Large attachments to links (issue 17, docs/files.md): what an adapter that receives files from
 * its network (a mail's attachments) or a whole MIME entity does before the message goes into
 * the core. A file over the store's `inlineMaxBytes` is kept by the file store and travels as a
 * `message/external-body` link (src/mime/external-body.ts); under it, inside the message as
 * before. A file the store refuses (too large, a forbidden type, a quota) is reported with its
 * reason, so the sender is told and the rest of the message still goes.
 */
import { buildMixed, readMimeEntity, type InlineFile, type MimeReadLimits } from '../mime/index.js';
import type { ExternalLink } from '../mime/external-body.js';
import { FileRefusedError, type FileRefusal, type FileStorePort, type StoredFile } from './types.js';

export interface RefusedFile {
  readonly filename: string;
  readonly size: number;
  readonly reason: FileRefusal;
  /** Why, for the sender. */
  readonly message: string;
}

export interface Offloaded {
  readonly inline: readonly InlineFile[];
  readonly links: readonly StoredFile[];
  readonly refused: readonly RefusedFile[];
}

/** A kept file as the link part names it. */
export function linkOf(f: StoredFile): ExternalLink {
  return {
    url: f.url,
    contentType: f.contentType,
    filename: f.filename,
    size: f.size,
    expiresAt: f.expiresAt,
  };
}

/**
 * Splits `files` into those that travel inside (at most `inlineMaxBytes` each) and those kept
 * as links; with no store, every file stays inside (the caller applies its own caps).
 */
export async function offloadFiles(
  store: FileStorePort | null,
  files: readonly InlineFile[],
  owner?: string,
): Promise<Offloaded> {
  const inline: InlineFile[] = [];
  const links: StoredFile[] = [];
  const refused: RefusedFile[] = [];
  for (const f of files) {
    if (store === null || f.content.byteLength <= store.inlineMaxBytes) {
      inline.push(f);
      continue;
    }
    try {
      links.push(
        await store.put(f.content, {
          ...(f.filename === undefined ? {} : { filename: f.filename }),
          declaredType: f.contentType,
          ...(owner === undefined ? {} : { owner }),
        }),
      );
    } catch (err) {
      if (!(err instanceof FileRefusedError)) throw err;
      refused.push({
        filename: f.filename ?? 'unnamed',
        size: f.content.byteLength,
        reason: err.reason,
        message: err.message,
      });
    }
  }
  return { inline, links, refused };
}

/** The note a text carries for a file that could not be kept: what was dropped and why. */
export function refusedNote(r: RefusedFile): string {
  return `[attachment "${r.filename}" not forwarded: ${r.message}]`;
}

export interface RewrittenEntity {
  readonly contentType: string;
  readonly body: Buffer;
  readonly links: readonly StoredFile[];
  readonly refused: readonly RefusedFile[];
}

/**
 * A whole MIME entity whose parts over `inlineMaxBytes` are moved to the store and rewritten as
 * link parts: a `multipart/mixed` of its text (refusals noted in it), the small files and the
 * links. Null when nothing is over (the entity goes unchanged). The rewrite keeps the plain text
 * only: an HTML alternative is dropped with the big files it sat beside.
 */
export async function offloadEntity(
  store: FileStorePort,
  contentType: string,
  transferEncoding: string | undefined,
  body: Uint8Array,
  options: { readonly owner?: string; readonly limits?: MimeReadLimits; readonly boundary: string },
): Promise<RewrittenEntity | null> {
  if (body.byteLength <= store.inlineMaxBytes) return null;
  const e = await readMimeEntity(contentType, transferEncoding, body, options.limits);
  if (!e.attachments.some((a) => a.url === undefined && a.octets > store.inlineMaxBytes)) return null;
  const kept = e.attachments.filter((a) => a.url !== undefined);
  const files = e.attachments
    .filter((a) => a.url === undefined)
    .map((a) => ({ filename: a.filename, contentType: a.type, content: a.content }));
  const done = await offloadFiles(store, files, options.owner);
  const text = [e.text, ...done.refused.map(refusedNote)].filter((l) => l !== '').join('\n\n');
  const links = [
    ...kept.map((a): ExternalLink => ({
      url: a.url!,
      contentType: a.type,
      filename: a.filename ?? 'file',
      size: a.octets,
      ...(a.expiresAt === undefined ? {} : { expiresAt: a.expiresAt }),
    })),
    ...done.links.map(linkOf),
  ];
  const mixed = buildMixed(text, done.inline, links, options.boundary);
  return { ...mixed, links: done.links, refused: done.refused };
}
