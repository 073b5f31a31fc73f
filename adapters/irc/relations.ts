/**
 * Replies and reactions on IRC (issue 17; docs/message-semantics.md),
 * in the adapter's own form. The core codec (src/codec/cpim/relations.ts, the `Msg` namespace of
 * spec §2) carries these relations in and out of the CPIM payload; the adapter only turns them
 * into IRC and back, through its msgid ↔ gateway Message-ID table (src/store/message-ids.ts).
 * Every id in an `IrcRelations` is a gateway Message-ID, never an IRC msgid. Pure.
 */
import type { MessageIds } from '../../src/index.js';
import { TAG, type IrcCaps } from './caps.js';

/** What a message relates to: the message it answers, or the reaction it is. */
export interface IrcRelations {
  /** The gateway id of the message replied to (spec §2.1 `Msg.Reply-To`). */
  readonly replyTo?: string;
  /** A reaction (spec §2.1 `Msg.Reaction`): `target` is the gateway id of the message reacted to. */
  readonly reaction?: { readonly op: 'add' | 'remove'; readonly target: string; readonly key: string };
  /**
   * A deletion (spec §2.1 `Msg.Retracts`): the gateway id deleted. IRC deletes only by REDACT
   * (draft/message-redaction, redact.ts); `shown`: the send has a fallback text to write where
   * REDACT is not available (else it is silent).
   */
  readonly retracts?: string;
  readonly shown?: boolean;
  /** A reply's text without its fallback quote, for a reply IRC writes its own way (tag or prefix). */
  readonly text?: string;
  /** An edit (spec §2.1 `Msg.Replaces`): the gateway id named, and the new text without its fallback. */
  readonly replaces?: { readonly target: string; readonly text?: string };
}

/**
 * The relations of an inbound line or TAGMSG from its client-only tags (client-tags/reply,
 * client-tags/react): the msgid they name, turned into the gateway id. A parent the gateway never
 * saw is no relation (spec §2.4 "Unknown IDs": the line goes on as a plain message; a reaction to
 * it is dropped).
 */
export function inboundRelations(
  tags: Readonly<Record<string, string>> | undefined,
  ids: MessageIds | undefined,
): IrcRelations | null {
  const parent = tags?.[TAG.reply];
  if (!parent || ids === undefined) return null;
  const target = ids.gatewayId(parent);
  if (target === undefined) return null;
  const react = tags[TAG.react];
  const unreact = tags[TAG.unreact];
  if (react) return { reaction: { op: 'add', target, key: react } };
  if (unreact) return { reaction: { op: 'remove', target, key: unreact } };
  return { replyTo: target };
}

/**
 * message-tags §"Escaping values": `;` SP `\` CR LF become `\:` `\s` `\\` `\r` `\n`.
 */
export function escapeTagValue(v: string): string {
  return v.replace(/[\\; \r\n]/g, (c) =>
    c === '\\' ? '\\\\' : c === ';' ? '\\:' : c === ' ' ? '\\s' : c === '\r' ? '\\r' : '\\n',
  );
}

/** How a relation goes out on one connection. */
export type OutboundRelation =
  /** Tags on the message's first line (`+draft/reply=<msgid>`). */
  | { readonly kind: 'tags'; readonly tags: string }
  /** A TAGMSG (a reaction): its tags. */
  | { readonly kind: 'tagmsg'; readonly tags: string }
  /** Plain IRC (spec §1.2): `nick: ` in front of the text, after a quote line for an older parent. */
  | { readonly kind: 'prefix'; readonly prefix: string; readonly quote?: string }
  /** Nothing IRC can carry: the send is answered ok and nothing is written. */
  | { readonly kind: 'drop'; readonly why: string }
  | { readonly kind: 'none' };

/**
 * The IRC form of a send's relations. `parent`: who wrote the parent, when known, for the
 * plain-IRC reply prefix (and its quote line, reply-quote.ts). A reaction removal has no IRC form but a REDACT of the
 * reaction's own msgid (draft/message-redaction), which this gateway does not send: dropped.
 */
export function outboundRelation(
  r: IrcRelations | undefined,
  caps: IrcCaps,
  ids: MessageIds | undefined,
  parent: { readonly nick: string; readonly quote?: string } | undefined,
): OutboundRelation {
  if (r?.reaction !== undefined) {
    const { op, target, key } = r.reaction;
    const msgid = ids?.networkId(target);
    if (!caps.messageTags) return { kind: 'drop', why: 'the IRC server has no message-tags (reactions)' };
    if (msgid === undefined) return { kind: 'drop', why: 'the message reacted to has no IRC msgid' };
    if (op === 'remove') return { kind: 'drop', why: 'IRC removes a reaction only by REDACT' };
    // client-tags/react: +draft/react MUST come with +draft/reply naming the target.
    return {
      kind: 'tagmsg',
      tags: `${TAG.reply}=${escapeTagValue(msgid)};${TAG.react}=${escapeTagValue(key)}`,
    };
  }
  // Deletions and edits: redact.ts and edit-relation.ts.
  if (r?.replyTo === undefined) return { kind: 'none' };
  const msgid = caps.messageTags ? ids?.networkId(r.replyTo) : undefined;
  if (msgid !== undefined) return { kind: 'tags', tags: `${TAG.reply}=${escapeTagValue(msgid)}` };
  if (parent === undefined) return { kind: 'none' };
  const prefix = `${parent.nick}: `;
  return parent.quote === undefined
    ? { kind: 'prefix', prefix }
    : { kind: 'prefix', prefix, quote: parent.quote };
}
