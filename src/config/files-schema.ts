/**
 * The `files:` section (issue 17, docs/files.md): the gateway's file store and its HTTP file
 * server. Large attachments and texts too long for a network are kept here and travel as
 * unguessable, expiring links (`message/external-body; access-type=URL`, RFC 2046 5.2.3, RFC
 * 2017). 8090 is clear of the hub (7410/7411), the web page (8080), SMTP (2525) and the
 * operations endpoint (9464).
 */
import { z } from 'zod';
import { host, port, positiveInt } from './fields.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Types kept by default: common images, PDF, text, audio and video basics, zip (docs/files.md). */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'text/plain',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/mp4',
  'audio/webm',
  'audio/aac',
  'audio/flac',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
  'application/zip',
  'application/octet-stream',
];

export const filesSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .prefault(true)
      .describe('keep large attachments and long texts, and serve them as links (docs/files.md)'),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'folder of the kept files (default: `files` beside the SQLite file; a temporary folder, removed at stop, when the store is in memory or off)',
      ),
    listen: z
      .strictObject({
        host: host.prefault('127.0.0.1').describe('address the file server listens on (loopback by default)'),
        port: port.prefault(8090).describe('TCP port of the file server; 0 picks a free one'),
      })
      .prefault({})
      .describe('where the HTTP file server listens (put it behind a reverse proxy with TLS)'),
    publicBaseUrl: z
      .url()
      .optional()
      .describe(
        "the links' base as readers reach it (`https://files.example`; default: `http://<listen.host>:<listen.port>`)",
      ),
    requestTimeoutMs: positiveInt
      .prefault(30000)
      .describe('a request head not received within this many milliseconds is answered 408'),
    maxBytes: positiveInt
      .prefault(16 * MIB)
      .describe('largest file kept (octets); larger is refused `too-large`'),
    inlineMaxBytes: positiveInt
      .prefault(32 * KIB)
      .describe(
        'largest attachment that travels inside the message; larger ones are kept and sent as links (lowered to what one `hub.limits.maxImPayloadBytes` payload carries in base64)',
      ),
    maxLongTextBytes: positiveInt
      .prefault(1 * MIB)
      .describe(
        'longest text kept as a "full message" link (octets of UTF-8); longer is refused `too-large`',
      ),
    maxAgeMs: positiveInt
      .prefault(7 * DAY_MS)
      .describe('a kept file is removed, and its link answers 404, after this many milliseconds (7 days)'),
    maxTotalBytes: positiveInt
      .prefault(1024 * MIB)
      .describe('octets kept in all; a file that would pass it is refused `full`'),
    maxFiles: positiveInt.prefault(100000).describe('files kept in all; more are refused `full`'),
    perOwnerBytesPerHour: positiveInt
      .prefault(128 * MIB)
      .describe('octets one author may have kept per hour; more is refused `quota`'),
    maxOwnersTracked: positiveInt
      .prefault(10000)
      .describe('authors whose hourly quota is tracked at once (the oldest window is forgotten)'),
    allowedTypes: z
      .array(z.string().min(1))
      .prefault([...DEFAULT_ALLOWED_TYPES])
      .describe('types (found from the content) that are kept; others are refused `forbidden-type`'),
    sweepIntervalMs: positiveInt
      .prefault(60000)
      .describe('how often expired files are removed (at most 256 per pass)'),
  })
  .describe('the file store and its HTTP server: large attachments and long texts as links (docs/files.md)');

export type FilesConfig = z.output<typeof filesSchema>;
