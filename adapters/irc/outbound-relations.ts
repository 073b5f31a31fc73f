/**
 * What a send's edit, deletion or reaction becomes on one IRC connection (issue 17;
 * docs/adapters/irc.md "Edits, deletions and reactions"), before outbound.ts writes it:
 *
 * - edit (`Msg.Replaces`): one correction line (edit-line.ts) against the text IRC last saw of
 *   the original (sent-texts.ts), with `+draft/reply=<the original's msgid>` where the server has
 *   message-tags (IRCv3 has no edit; client-tags/reply ties the line to the original); nothing
 *   when the text did not change or the channel drops edits;
 * - deletion (`Msg.Retracts`): `REDACT` with draft/message-redaction (redact.ts), else the
 *   fallback text, the `deletions: text` line, or nothing;
 * - reaction removal: `REDACT` of our reaction's own msgid (message-redaction "removing a
 *   `+draft/react`"), else nothing; a reaction on plain IRC: the merged text line
 *   (reaction-lines.ts, `reactions.plain: text`) or nothing.
 *
 * Pure but for reading the records it is given.
 */
import type { BoundedCache, MessageIds } from '../../src/index.js';
import { TAG, type IrcCaps } from './caps.js';
import { editLine } from './edit-line.js';
import { deletionPlan } from './redact.js';
import { escapeTagValue, type IrcRelations } from './relations.js';
import type { SentTexts } from './sent-texts.js';

export type RelationStep =
  /** Nothing is written: the send is answered ok + Irc-Clipped with `why`. */
  | { readonly kind: 'drop'; readonly why: string }
  | { readonly kind: 'redact'; readonly msgid: string }
  /** A line in the gateway's voice, not prefixed with the author. */
  | { readonly kind: 'voice'; readonly text: string }
  /** The merged reaction line (reaction-lines.ts). */
  | { readonly kind: 'reaction-line' }
  /** The correction line of an edit, in place of the text; `root`: the original's gateway id. */
  | {
      readonly kind: 'edit';
      readonly text: string;
      readonly tags?: string;
      readonly root: string;
      readonly newText: string;
    }
  /** outbound.ts's own handling (a reply, a reaction tag, a plain message). */
  | { readonly kind: 'pass' };

export interface RelationPolicies {
  readonly edits: 'fallback' | 'drop';
  readonly sedShare: number;
  readonly deletions: 'drop' | 'text';
  readonly reactions: 'drop' | 'text';
}

export interface RelationRecords {
  readonly sent: SentTexts | undefined;
  /** Our reactions by `author \0 target \0 key` → the reaction send's gateway id. */
  readonly reactions: BoundedCache<string, string> | undefined;
}

export const reactionKey = (author: string, target: string, key: string) => `${author}\0${target}\0${key}`;

export function relationStep(
  r: IrcRelations,
  caps: IrcCaps,
  ids: MessageIds | undefined,
  rec: RelationRecords,
  pol: RelationPolicies,
  author: { readonly uri: string; readonly name: string },
  text: string,
): RelationStep {
  if (r.replaces !== undefined) {
    if (pol.edits === 'drop') return { kind: 'drop', why: 'edits are not sent to this IRC channel' };
    const orig = rec.sent?.original(r.replaces.target) ?? { root: r.replaces.target, text: undefined };
    const newText = r.replaces.text ?? text.replace(/^\* /, '');
    const e = editLine(orig.text, newText, pol.sedShare);
    if (e.kind === 'same') return { kind: 'drop', why: 'the edit did not change the visible text' };
    const msgid = caps.messageTags ? ids?.networkId(orig.root) : undefined;
    return {
      kind: 'edit',
      text: e.text,
      ...(msgid === undefined ? {} : { tags: `${TAG.reply}=${escapeTagValue(msgid)}` }),
      root: orig.root,
      newText,
    };
  }
  if (r.retracts !== undefined) {
    const d = deletionPlan({ ...r, retracts: r.retracts }, caps, ids, pol.deletions, author.name);
    return d.kind === 'none' ? { kind: 'pass' } : d.kind === 'text' ? { kind: 'voice', text: d.text } : d;
  }
  const re = r.reaction;
  if (re === undefined) return { kind: 'pass' };
  if (re.op === 'remove') {
    const own = rec.reactions?.get(reactionKey(author.uri, re.target, re.key));
    const msgid = own === undefined ? undefined : ids?.networkId(own);
    if (caps.redaction && msgid !== undefined) return { kind: 'redact', msgid };
    return {
      kind: 'drop',
      why: caps.redaction
        ? 'the reaction removed has no IRC msgid'
        : 'IRC removes a reaction only by REDACT, which this server does not offer',
    };
  }
  if (!caps.messageTags && pol.reactions === 'text') return { kind: 'reaction-line' };
  return { kind: 'pass' };
}
