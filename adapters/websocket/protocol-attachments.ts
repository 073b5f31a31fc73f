/**
 * Attachments in the web chat protocol (issue 17, docs/adapters/web-chat.md "Attachments"): the
 * links a `send` names (each returned by `POST /upload`), and the files a `message` or history item
 * carries. attachments.ts turns them into and out of the CPIM body (RFC 2046 5.1.3, 5.2.3).
 */
import { z } from 'zod';

/** A file as the page is shown it: a link of the gateway's file store when there is one. */
export const attachment = z.strictObject({
  name: z.string(),
  /** The media type (the one the store found from the content, for a file it keeps). */
  type: z.string(),
  /** Octets. */
  size: z.number().int().nonnegative(),
  /** The link (expiring); absent when the file could not be kept. */
  url: z.string().optional(),
});

/** A file a `send` carries: a link `POST /upload` answered; the rest is only what the page knew. */
export const sendAttachment = z.strictObject({
  url: z.string().min(1).max(2048),
  name: z.string().max(255).optional(),
  type: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
});

/** The most attachments one frame may name (`uploads.maxPerMessage` may lower it). */
export const MAX_SEND_ATTACHMENTS = 100;

export const sendAttachmentFields = {
  /** Files uploaded first (`POST /upload`); `text` is then the caption and may be left out. */
  attachments: z.array(sendAttachment).min(1).max(MAX_SEND_ATTACHMENTS).optional(),
};

export const messageAttachmentFields = {
  /** The message's files (its `text` is then the caption, possibly empty). */
  attachments: z.array(attachment).optional(),
};

export type WireAttachmentFrame = z.output<typeof attachment>;
