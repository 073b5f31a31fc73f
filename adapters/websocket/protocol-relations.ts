/**
 * Replies, edits, deletions and reactions in the web chat protocol (issue 17,
 * docs/adapters/web-chat.md "Replies, edits, deletions and reactions"): the fields a `send` may
 * add and a `message` or history item carries. They mirror the CPIM `Msg` namespace
 * (src/codec/cpim/relations.ts; docs/message-semantics.md): ids are msg-ids, a message is at
 * most one of edit, deletion and reaction.
 */
import { z } from 'zod';

/** message-semantics 2.1: 1-64 of A-Z a-z 0-9 - . _ ~ (the gateway's own ids are). */
export const msgId = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{1,64}$/, 'a message id (1-64 of A-Z a-z 0-9 - . _ ~)');

/** One line without control characters, not padded with white space. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const REACTION_KEY = /^[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f])?$/u;

export const reaction = z.strictObject({
  op: z.enum(['add', 'remove']),
  /** The id of the message reacted to. */
  target: msgId,
  /** One emoji or a short word. */
  key: z.string().min(1).max(64).regex(REACTION_KEY, 'one line, not padded'),
});

/** What a client's `send` may add (all optional; at most one of replaces, retracts, reaction). */
export const sendRelationFields = {
  /** Replying to this message (the page shows the quoted original). */
  replyTo: msgId.optional(),
  /** An edit of one's own message: `text` replaces it. */
  replaces: msgId.optional(),
  /** A deletion of one's own message (no `text`). */
  retracts: msgId.optional(),
  /** Adding or removing a reaction (no `text`). */
  reaction: reaction.optional(),
};

/** What a `message` frame or history item carries (from the message's `Msg` headers). */
export const messageRelationFields = {
  replyTo: msgId.optional(),
  /** The thread's root message. */
  thread: msgId.optional(),
  replaces: msgId.optional(),
  retracts: msgId.optional(),
  reaction: reaction.optional(),
  /** A reply's quoted original as its sender wrote it (`nick: text`), for a page that lacks it. */
  quote: z.string().optional(),
};

export type WireReaction = z.output<typeof reaction>;

export interface WireRelations {
  replyTo?: string;
  thread?: string;
  replaces?: string;
  retracts?: string;
  reaction?: WireReaction;
  quote?: string;
}
