/**
 * Attachments on the web (issue 17, docs/adapters/web-chat.md "Attachments"; docs/message-semantics.md).
 *
 * Out: a `send` names files the page uploaded (upload.ts) by their links. Only links this
 * adapter got from the gateway's file store are taken (KnownFiles), and their name, type and size
 * are the store's, never the page's. The message becomes a multipart/mixed entity (RFC 2046
 * 5.1.3): the caption as its text/plain part, then each file as a `message/external-body;
 * access-type=URL` part (RFC 2046 5.2.3, RFC 2017) naming the link: the bytes are already in the
 * store, so they never travel inside the Message/CPIM object.
 *
 * In: the parts of an incoming message that are not text (src/mime/render.ts `attachments`) become
 * `attachments` of the page's frame. A part that came as a link (external-body) keeps its link;
 * one that came inline is put in the file store and the page gets the store's link. Not a data
 * URL: frames go to every tab of every reader and count against `limits.maxBufferedBytes`, and a
 * data URL would carry the sender's declared type, where the store's link is served with the type
 * found from the content (only those the page may show as a preview: image/*).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  BoundedCache,
  buildMixed,
  FileRefusedError,
  type FileStorePort,
  type Logger,
  type MimeAttachment,
  type StoredFile,
} from '../../src/index.js';

/** An attachment as the page sees it (protocol-attachments.ts). */
export interface WireAttachment {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly url?: string;
}

/** Origins remembered at most (a store has one; a changed base URL adds one per restart). */
const MAX_ORIGINS = 8;
/** The name shown for a part that had none. */
const UNNAMED = 'attachment';

/**
 * Links of the gateway's file store this adapter has seen (its uploads, the incoming parts it
 * kept), each until it expires; and the link of each inline part kept, by content, so a message
 * read again (history, offline delivery) is not stored again. Both bounded by `maxKnownFiles`.
 */
export class KnownFiles {
  private readonly byUrl: BoundedCache<string, StoredFile>;
  private readonly byContent: BoundedCache<string, StoredFile>;
  /** Origins of the links seen: the file store's (one, unless its base URL changed). */
  private readonly seenOrigins = new Set<string>();

  constructor(maxEntries: number) {
    this.byUrl = new BoundedCache({ maxEntries });
    this.byContent = new BoundedCache({ maxEntries });
  }

  add(file: StoredFile): void {
    this.byUrl.set(file.url, file);
    if (this.seenOrigins.size < MAX_ORIGINS && URL.canParse(file.url))
      this.seenOrigins.add(new URL(file.url).origin);
  }

  /** The store's origins (its base URL, and those of links it gave): where previews load from. */
  origins(store: FileStorePort | null): string[] {
    const all = new Set(this.seenOrigins);
    const base = store?.publicBaseUrl;
    if (base !== undefined && URL.canParse(base)) all.add(new URL(base).origin);
    return [...all];
  }

  /** The stored file behind `url`, while its link lives; undefined for any other link. */
  get(url: string, now = Date.now()): StoredFile | undefined {
    const f = this.byUrl.get(url);
    if (f === undefined || f.expiresAt <= now) return undefined;
    return f;
  }

  /** Keeps an inline part in the store once per content; null when the store refuses it. */
  async keep(store: FileStorePort, part: MimeAttachment, owner: string): Promise<StoredFile> {
    const key = createHash('sha256').update(part.content).digest('hex');
    const had = this.byContent.get(key);
    if (had !== undefined && had.expiresAt > Date.now()) return had;
    const f = await store.put(part.content, {
      owner,
      declaredType: part.type,
      ...(part.filename === undefined ? {} : { filename: part.filename }),
    });
    this.byContent.set(key, f);
    this.add(f);
    return f;
  }
}

// --- Out: a send with files ----------------------------------------------------------------

/**
 * The entity of a message with files: multipart/mixed (RFC 2046 5.1.3), the caption first as
 * text/plain, each file as a `message/external-body` link part, both written by the core
 * (src/mime/mixed.ts, external-body.ts). The boundary is random, so no caption can contain it.
 */
export function attachmentEntity(
  caption: string,
  files: readonly StoredFile[],
): { readonly type: string; readonly body: string } {
  const links = files.map((f) => ({
    url: f.url,
    contentType: f.contentType,
    filename: f.filename || UNNAMED,
    size: f.size,
    expiresAt: f.expiresAt,
  }));
  const m = buildMixed(caption, [], links, `=_web_${randomUUID()}`);
  return { type: m.contentType, body: m.body.toString('utf8') };
}

/** The page's view of a stored file. */
export function wireOf(f: StoredFile): WireAttachment {
  return { name: f.filename || UNNAMED, type: f.contentType, size: f.size, url: f.url };
}

/**
 * The files a `send` names, each a live link of this store; or why not (the page is told).
 * Name, type and size are the store's.
 */
export function filesOfSend(
  known: KnownFiles,
  attachments: readonly { readonly url: string }[],
): StoredFile[] | string {
  const files: StoredFile[] = [];
  for (const [i, a] of attachments.entries()) {
    const f = known.get(a.url);
    if (f === undefined) return `attachments.${i}.url: not a live link of this gateway's file store`;
    files.push(f);
  }
  return files;
}

// --- In: the parts of an incoming message ------------------------------------------------------

/**
 * The page's attachments for the parts of an incoming message. A part with a link keeps it
 * (`url`, read from its external-body by src/mime); an inline one is kept in the store (when it
 * is on and takes it) and gets the store's link; otherwise it is named without a link.
 */
export async function wireAttachments(
  parts: readonly MimeAttachment[],
  store: FileStorePort | null,
  known: KnownFiles,
  owner: string,
  log: Logger,
): Promise<WireAttachment[]> {
  return Promise.all(
    parts.map(async (p): Promise<WireAttachment> => {
      const name = p.filename ?? UNNAMED;
      const url = (p as MimeAttachment & { readonly url?: string }).url;
      if (p.type === EXTERNAL_BODY || url !== undefined) {
        // A link: never kept again (its content is the phantom header of RFC 2046 5.2.3).
        const type = p.type === EXTERNAL_BODY ? (phantomType(p.content) ?? p.type) : p.type;
        const size =
          (p as MimeAttachment & { readonly size?: number }).size ?? (url === undefined ? 0 : p.octets);
        return { name, type, size, ...(url === undefined ? {} : { url }) };
      }
      if (store !== null)
        try {
          return { ...wireOf(await known.keep(store, p, owner)), name };
        } catch (err) {
          // The message is still shown, the file named without a link; the log says why.
          if (err instanceof FileRefusedError)
            log.info(
              { reason: err.reason, type: p.type, octets: p.octets },
              'attachment not kept for the page',
            );
          else log.warn({ reason: (err as Error).message }, 'attachment not kept for the page: store failed');
        }
      return { name, type: p.type, size: p.octets };
    }),
  );
}

const EXTERNAL_BODY = 'message/external-body';

/** The Content-Type of an external-body part's phantom header (RFC 2046 5.2.3), when readable. */
function phantomType(content: Uint8Array): string | undefined {
  const head = Buffer.from(content.subarray(0, 1024)).toString('latin1');
  const m = /^content-type:[ \t]*([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)/im.exec(head);
  return m?.[1]?.toLowerCase();
}

/** What linkParts needs of the adapter. */
export interface FilesContext {
  fileStore(): FileStorePort | null;
  readonly files: KnownFiles;
  readonly ctx: { readonly log: Logger };
}

/** A read message whose parts have become the page's `attachments` (the bytes are dropped). */
export async function linkParts<
  M extends { readonly from: string; readonly parts?: readonly MimeAttachment[] },
>(
  chat: FilesContext,
  m: M,
): Promise<Omit<M, 'parts'> & { readonly attachments?: readonly WireAttachment[] }> {
  const { parts, ...rest } = m;
  if (parts === undefined || parts.length === 0) return rest;
  const attachments = await wireAttachments(parts, chat.fileStore(), chat.files, m.from, chat.ctx.log);
  return { ...rest, attachments };
}
