/**
 * What an edit, a deletion or a reaction becomes in mail (issue 17; docs/message-semantics.md,
 * email column; docs/adapters/email.md "Edits, deletions and reactions"). Mail has none of them
 * (RFC 5322 knows only new messages that answer older ones, 3.6.4), so:
 * - an edit (`Msg.Replaces`) is a new mail answering the original (`In-Reply-To`), its Subject
 *   `Re: …` and its text `Correction: <the new text>`, the `* ` fallback removed;
 * - a deletion (`Msg.Retracts`) or a reaction (`Msg.Reaction`) is dropped, said in the answer
 *   (`Mail-Clipped`), or per configuration a short follow-up mail answering the message;
 * - all three only in 1:1 conversations unless `relations.inRooms` (a list's subscribers would get
 *   one mail per reaction);
 * - a relation to a message that was never mailed here: an edit becomes a new mail with the new
 *   text (issue 17, "degrade well"); a deletion or reaction has nothing to answer and is dropped.
 * Pure: the id map is a function given by the caller.
 */
import { stripFallback, type Relations } from '../../src/index.js';
import type { EmailConfig } from './config.js';

export type RelationPolicy = EmailConfig['relations'];

export type RelationPlan =
  /** Not an edit, deletion or reaction: the message is mailed as it is. */
  | { readonly kind: 'plain' }
  /** Not mailed; the answer is `ok` + `Mail-Clipped: <clipped>`. */
  | { readonly kind: 'drop'; readonly clipped: string }
  /** A follow-up mail answering `answers` (a mail Message-ID), with this text. */
  | { readonly kind: 'follow-up'; readonly answers: string; readonly text: string }
  /** An edit of a message never mailed here: a new mail with the new text alone. */
  | { readonly kind: 'new'; readonly text: string };

export interface RelationInput {
  /** The message's `Msg` headers (undefined when it has none or they were malformed). */
  readonly relations: Relations | undefined;
  /** The message's text as rendered, fallback included (line ends LF). */
  readonly text: string;
  /** Who did it, as the mail names the author. */
  readonly name: string;
  /** True when the mail goes to a list or a room's member (not a 1:1 conversation). */
  readonly inRoom: boolean;
  readonly policy: RelationPolicy;
  /** The mail Message-ID a gateway message went out (or came in) with, if known here. */
  readonly mailOf: (gatewayId: string) => string | undefined;
}

/** The text a receiver that understands `Msg` shows (the fallback ranges removed, spec 2.1). */
export function shownText(r: Relations | undefined, text: string): string {
  return stripFallback(text, r?.fallback).trim();
}

export function planRelation(i: RelationInput): RelationPlan {
  const r = i.relations;
  if (r === undefined) return { kind: 'plain' };
  if (r.replaces !== undefined) {
    if (i.policy.edits === 'drop' || (i.inRoom && !i.policy.inRooms))
      return { kind: 'drop', clipped: 'an edit is not mailed' };
    const text = shownText(r, i.text);
    const original = i.mailOf(r.replaces);
    if (original === undefined) return { kind: 'new', text };
    return { kind: 'follow-up', answers: original, text: `Correction: ${text}` };
  }
  if (r.retracts !== undefined) {
    if (i.policy.deletions === 'drop' || (i.inRoom && !i.policy.inRooms))
      return { kind: 'drop', clipped: 'a deletion is not mailed' };
    const target = i.mailOf(r.retracts);
    if (target === undefined)
      return { kind: 'drop', clipped: 'a deletion of a message never mailed is not mailed' };
    return { kind: 'follow-up', answers: target, text: `${i.name} deleted a message` };
  }
  if (r.reaction !== undefined) {
    if (i.policy.reactions === 'drop' || (i.inRoom && !i.policy.inRooms))
      return { kind: 'drop', clipped: 'a reaction is not mailed' };
    // A removal would be a second mail undoing the first: one reaction costs one mail at most.
    if (r.reaction.op === 'remove')
      return { kind: 'drop', clipped: 'the removal of a reaction is not mailed' };
    const target = i.mailOf(r.reaction.target);
    if (target === undefined)
      return { kind: 'drop', clipped: 'a reaction to a message never mailed is not mailed' };
    return { kind: 'follow-up', answers: target, text: `${i.name} reacted ${r.reaction.key}` };
  }
  return { kind: 'plain' };
}
