/**
 * Hub → XMPP relations (issue 17; docs/adapters/xmpp-mapping.md "Relations"): the `Msg`
 * relations of a send (read by message-map.ts) as XEP-0461 / XEP-0308 / XEP-0424 / XEP-0444
 * elements naming XMPP ids (relation-ids.ts). A relation to a message the recipient never got
 * degrades (docs/message-semantics.md "Bounds"): a reply or an edit goes as a plain message, its
 * fallback text included; a silent deletion or reaction is not sent (`ok` + `Xmpp-Clipped`).
 */
import { retractionFallback, stripFallback } from '../../src/index.js';
import type { XmppMessage } from './message-map.js';
import type { XmppIds } from './relation-ids.js';
import type { RelationOut } from './relation-stanzas.js';

export type OutboundRelation =
  | {
      readonly kind: 'send';
      readonly message: XmppMessage;
      readonly elements: RelationOut;
      /** A reaction or retraction: no content a receipt (XEP-0184 §5.1) would confirm. */
      readonly relationOnly: boolean;
    }
  | { readonly kind: 'drop'; readonly what: string; readonly why: string };

export interface OutboundRelationOptions {
  /** The author's im: URI (whose reaction set it is). */
  readonly author: string;
  /** A hosted room's message: ids are the room's stanza-ids. */
  readonly groupchat: boolean;
  /** The author's name for a retraction's fallback text. */
  readonly nick: string;
  /** Most keys in one XEP-0444 set (`limits.maxReactions`). */
  readonly maxReactions: number;
}

export function outboundRelation(m: XmppMessage, ids: XmppIds, o: OutboundRelationOptions): OutboundRelation {
  const r = m.relations;
  const plain = { kind: 'send', message: m, elements: {}, relationOnly: false } as const;
  if (r === undefined) return plain;
  const text = m.body[0]?.text;
  if (r.reaction !== undefined) {
    const ref = ids.xmppRef(r.reaction.target, o.groupchat);
    if (ref === undefined)
      return { kind: 'drop', what: 'a reaction', why: 'the message reacted to is unknown here' };
    const keys = ids.reactionSet(o.author, r.reaction.target, r.reaction, o.maxReactions);
    // XEP-0444 §3: the reactions element alone; its set replaces the author's earlier one.
    return {
      kind: 'send',
      message: { ...m, body: [], subject: [] },
      elements: { reactions: { id: ref, keys } },
      relationOnly: true,
    };
  }
  if (r.retracts !== undefined) {
    const ref = ids.xmppRef(r.retracts, o.groupchat);
    if (ref === undefined) {
      if (text === undefined || text === '')
        return { kind: 'drop', what: 'a deletion', why: 'the message deleted is unknown here' };
      return plain;
    }
    // XEP-0424 §4: a fallback body for clients without retraction, marked by XEP-0428.
    const body = text === undefined || text === '' ? retractionFallback(o.nick).body : text;
    return {
      kind: 'send',
      message: { ...m, body: [{ text: body }], subject: [] },
      elements: { retract: ref },
      relationOnly: true,
    };
  }
  if (r.replaces !== undefined) {
    const ref = ids.xmppRef(r.replaces, o.groupchat);
    // An edit of a message the recipient never got: a new message, `* text` and all.
    if (ref === undefined || text === undefined) return plain;
    // XEP-0308 §4: the correction's body is the full new text (the `* ` fallback goes).
    const shown = stripFallback(text, r.fallback);
    return {
      kind: 'send',
      message: { ...m, body: [{ ...m.body[0], text: shown }] },
      elements: { replace: ref },
      relationOnly: false,
    };
  }
  if (r.replyTo !== undefined) {
    const ref = ids.xmppRef(r.replyTo, o.groupchat);
    if (ref === undefined) return plain;
    // XEP-0461 §3 with XEP-0428: the quote stays in the body, marked as the reply's fallback.
    return {
      kind: 'send',
      message: m,
      elements: { reply: { id: ref }, ...(r.fallback === undefined ? {} : { replyFallback: r.fallback }) },
      relationOnly: false,
    };
  }
  return plain;
}
