/** The core's MIME reading (RFC 2045-2049), for adapters through src/index.ts. */
export {
  MIME_READ_DEFAULTS,
  MimeReadError,
  readMimeEntity,
  readableText,
  type MimeAttachment,
  type MimeReadLimits,
  type MimeTextPart,
  type ReadableEntity,
} from './readable.js';
