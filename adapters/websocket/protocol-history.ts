/**
 * The frames version 2 of the web chat protocol adds (issue 15, docs/adapters/web-chat.md
 * "History"): the `history` request and its answer, and the `report` frame. protocol.ts puts them
 * in the unions; protocol.schema.json is generated from both files.
 *
 * A cursor is the store's order of a kept message (src/store/types.ts HistoryRecord.seq), sent as
 * a decimal string so that a client treats it as opaque: it compares cursors of one conversation
 * only by asking the gateway (`before`, `after`).
 */
import { z } from 'zod';
import { messageAttachmentFields } from './protocol-attachments.js';
import { messageRelationFields } from './protocol-relations.js';

export const cursor = z.string().regex(/^[0-9]{1,16}$/, 'a cursor from a message or history frame');

export const historyRequestFrame = z
  .strictObject({
    type: z.literal('history'),
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : -'),
    /** A room's address (welcome `rooms[].address`), or the peer of a direct conversation. */
    conversation: z.string().min(1).max(512),
    /** Messages older than this one (paging back). */
    before: cursor.optional(),
    /** Messages newer than this one (catching up after a reconnect). */
    after: cursor.optional(),
    /** How many at most; the gateway caps it at `history.maxPageSize`. */
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((f) => f.before === undefined || f.after === undefined, {
    message: 'give at most one of "before" and "after"',
  });

/** One kept message, as the `history` frame lists it (a `message` frame without a delivery). */
/**
 * A message's formatting (issue 20): runs of the core's formatting model whose texts join to the
 * message's `text`; the page shows them as styled text (never as HTML).
 */
const HEX_COLOUR = /^#[0-9a-f]{6}$/;
export const formatRuns = z.array(
  z.strictObject({
    text: z.string(),
    bold: z.boolean().optional(),
    italic: z.boolean().optional(),
    underline: z.boolean().optional(),
    strike: z.boolean().optional(),
    mono: z.boolean().optional(),
    fg: z.string().regex(HEX_COLOUR).optional(),
    bg: z.string().regex(HEX_COLOUR).optional(),
  }),
);

/** A run of the core's formatting model (src/mime/format.ts) as a frame carries it. */
export type FormatRun = z.infer<typeof formatRuns>[number];

export const historyItem = z.strictObject({
  /** The gateway's message id (the IMTP `Message-ID` header). */
  id: z.string(),
  cursor,
  from: z.string(),
  network: z.string(),
  to: z.string().optional(),
  room: z.string().optional(),
  time: z.string(),
  text: z.string(),
  /** A mail's Subject, with the first message of its thread (issue 20). */
  subject: z.string().optional(),
  /** The text with its formatting, when it had some (issue 20). */
  format: formatRuns.optional(),
  own: z.boolean().optional(),
  /** Issue 17: what it replies to, edits, deletes or reacts to. */
  ...messageRelationFields,
  ...messageAttachmentFields,
});

export const historyFrame = z.strictObject({
  type: z.literal('history'),
  /** The request's id; absent for the history a `join` sends. */
  id: z.string().optional(),
  /** The room's address or the peer's im: URI. */
  conversation: z.string(),
  /** The web room, for a room's history. */
  room: z.string().optional(),
  /** Oldest first. */
  messages: z.array(historyItem),
  /** Older messages exist before the first one (ask with `before`). */
  more: z.boolean(),
  /**
   * A catch-up (`after`) that was too long to send: `messages` are the latest page instead, and
   * the page replaces what it shows of the conversation with them.
   */
  reset: z.boolean().optional(),
});

export const REPORT_KINDS = ['expired'] as const;

/**
 * A delivery report about a message this user sent (common15: `Report: expired`): it was kept for
 * `inbox`, nobody read it in time, and it was dropped.
 */
export const reportFrame = z.strictObject({
  type: z.literal('report'),
  report: z.enum(REPORT_KINDS),
  /** The Message-ID of the message it is about (the `messageId` of the send's result). */
  for: z.string().optional(),
  /** The inbox the message waited for. */
  inbox: z.string(),
  /** Who reports it (`im:postmaster@<domain>`). */
  from: z.string(),
  time: z.string(),
  text: z.string(),
});

export type HistoryRequestFrame = z.output<typeof historyRequestFrame>;
export type HistoryFrame = z.output<typeof historyFrame>;
export type HistoryItem = z.output<typeof historyItem>;
export type ReportFrame = z.output<typeof reportFrame>;
