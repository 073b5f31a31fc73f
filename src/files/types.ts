/**
 * The gateway's file store, as adapters see it (issue 17, "Attachments"; docs/message-semantics.md).
 * Small attachments travel inside the Message/CPIM object as MIME parts (RFC 2046 5.1.3); large
 * ones, and texts too long for a network, are kept here, under the storage directory, bounded in
 * size and age, their type found from their content and not from their name, and travel as
 * `message/external-body; access-type=URL` parts (RFC 2046 5.2.3, RFC 2017) naming an
 * unguessable, expiring link to the gateway's own HTTP file server.
 */

/** A file the store keeps, and the link that serves it until `expiresAt`. */
export interface StoredFile {
  /** The absolute link (the file server's public base URL, an unguessable token, the name). */
  readonly url: string;
  /** The type found from the content (`application/octet-stream` when nothing matched). */
  readonly contentType: string;
  /** Octets kept. */
  readonly size: number;
  /** The file name shown to readers (cleaned: no path, no control characters). */
  readonly filename: string;
  /** Milliseconds since the epoch after which the link answers 404 and the bytes are removed. */
  readonly expiresAt: number;
}

/** What a caller says of the file it hands over. */
export interface FileMeta {
  /** The name the sender gave; only shown, never trusted for the type. */
  readonly filename?: string;
  /** The type the sender declared; only a hint, the content decides. */
  readonly declaredType?: string;
  /** The author (an `im:` URI), for per-author quotas and the log. */
  readonly owner?: string;
}

/** Why the store refused a file: said to the sender (413, 415 or an IMTP error). */
export type FileRefusal = 'too-large' | 'forbidden-type' | 'quota' | 'full' | 'disabled';

/** Thrown (rejected) by `put` and `putText`; `message` says why, for the sender. */
export class FileRefusedError extends Error {
  override readonly name = 'FileRefusedError';
  constructor(
    readonly reason: FileRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The store, handed to adapters through their context (`AdapterContext.files`). */
export interface FileStorePort {
  /** Largest part, in octets, that travels inside a Message/CPIM object; larger parts are kept. */
  readonly inlineMaxBytes: number;
  /** Largest file the store keeps (`files.maxBytes`). */
  readonly maxBytes: number;
  /**
   * The file server's public base URL (`files.publicBaseUrl`), when known: the web page allows
   * images from its origin (Content-Security-Policy img-src) so previews show.
   */
  readonly publicBaseUrl?: string;
  /** Keeps `bytes`; rejects with FileRefusedError (too large, a forbidden type, over quota). */
  put(bytes: Uint8Array, meta: FileMeta): Promise<StoredFile>;
  /** Keeps a long text (UTF-8, served as text/plain) that a network would have to cut. */
  putText(text: string, meta: FileMeta): Promise<StoredFile>;
}
