/**
 * XMPP → hub relations (issue 17; docs/adapters/xmpp-mapping.md "Relations"): what a stanza's
 * XEP-0461 / XEP-0308 / XEP-0424 / XEP-0444 elements become in the `Msg` namespace
 * (src/codec/cpim/relations.ts), through the id table (relation-ids.ts). A reference the gateway
 * does not know degrades (docs/message-semantics.md "Bounds"): a reply goes on as a plain
 * message (its quote included), a correction as a new message, a retraction or reaction is
 * dropped (there is nothing to show).
 */
import { REACTION_KEY_MAX, editFallback, retractionFallback, type Relations } from '../../src/index.js';
import type { ReactionChange, XmppIds } from './relation-ids.js';
import type { Element } from '@xmpp/component';
import { readStanzaRelations, type StanzaRelations } from './relation-stanzas.js';
import { errorReply } from './stanzas.js';

export type InboundRelation =
  /** No relation (or one that degraded to none): the message as it is. */
  | { readonly kind: 'none' }
  /** A message with relations; `body`, when set, replaces the stanza's text in the CPIM body. */
  | {
      readonly kind: 'message';
      readonly relations: Relations;
      readonly body?: string;
      /** A correction: the gateway id of the message it corrects. */
      readonly original?: string;
    }
  /** XEP-0444: one silent `Msg.Reaction` send per change. */
  | { readonly kind: 'reactions'; readonly target: string; readonly changes: readonly ReactionChange[] }
  | { readonly kind: 'drop'; readonly why: string };

/** What `Msg.Reaction` accepts as a key (relations.ts): one emoji or word, no control, no padding. */
export function validReactionKey(k: string): boolean {
  // eslint-disable-next-line no-control-regex
  return k !== '' && k.trim() === k && [...k].length <= REACTION_KEY_MAX && !/[\u0000-\u001f\u007f]/.test(k);
}

/**
 * The relation of one stanza from `bare` (the sender's bare JID; `who`: its im: URI; `nick`: the
 * name a retraction's fallback gives) whose text is `text`. At most one relation is read, in the order
 * reactions, retraction, correction, reply (a message is at most one of the first three, message-semantics
 * 2.1).
 */
/**
 * A stanza's relations (relation-stanzas.ts), or the error to send back: a reactions element
 * with more distinct keys than `limits.maxReactions` is refused `policy-violation` (RFC 6120
 * 8.3.3.12), for chats and hosted rooms alike.
 */
export function relationsOrRefusal(
  el: Element,
  maxReactions: number,
): { readonly s: StanzaRelations; readonly refusal?: never } | { readonly refusal: Element } {
  const s = readStanzaRelations(el, { maxReactions });
  if (s.tooManyReactions !== true) return { s };
  return {
    refusal: errorReply(el, {
      condition: 'policy-violation',
      type: 'modify',
      text: `more than ${maxReactions} reactions (limits.maxReactions)`,
    }),
  };
}

export function inboundRelation(
  s: StanzaRelations,
  ids: XmppIds,
  bare: string,
  who: string,
  text: string | undefined,
  nick: string,
): InboundRelation {
  if (s.reactions !== undefined) {
    const target = ids.resolve(bare, s.reactions.id);
    if (target === undefined)
      return { kind: 'drop', why: 'a reaction to a message the gateway does not know' };
    // Keys the Msg namespace cannot carry (empty, padded, too long) are left out.
    const keys = s.reactions.keys.filter(validReactionKey);
    return { kind: 'reactions', target, changes: ids.reactionChanges(who, target, keys) };
  }
  if (s.retract !== undefined) {
    const target = ids.resolve(bare, s.retract);
    if (target === undefined)
      return { kind: 'drop', why: 'a retraction of a message the gateway does not know' };
    // XEP-0424 §4 sends a fallback body: so does the gateway, all of it marked (message-semantics
    // 2.3), so networks without deletions (plain IRC, mail) still say what happened.
    const fb = retractionFallback(nick);
    return { kind: 'message', relations: { retracts: target, fallback: fb.fallback }, body: fb.body };
  }
  if (s.replace !== undefined && text !== undefined) {
    const original = ids.resolve(bare, s.replace);
    // An edit of a message never relayed is a new message (issue 17 "Degrade well").
    if (original === undefined) return { kind: 'none' };
    const fb = editFallback(text);
    return {
      kind: 'message',
      relations: { replaces: original, fallback: fb.fallback },
      body: fb.body,
      original,
    };
  }
  if (s.reply !== undefined) {
    const parent = ids.resolve(bare, s.reply.id);
    if (parent === undefined) return { kind: 'none' };
    return {
      kind: 'message',
      relations: { replyTo: parent, ...(s.replyFallback === undefined ? {} : { fallback: s.replyFallback }) },
    };
  }
  return { kind: 'none' };
}
