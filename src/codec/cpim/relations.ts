/**
 * Message ids and relations in Message/CPIM (issue 17; the proposal in
 * docs/message-semantics.md, documented in docs/cpim.md and
 * docs/message-semantics.md): an extension namespace (RFC 3862 3.4) `Msg` whose headers name a
 * message (`Msg.ID`) and what it relates to (reply, thread, edit, retraction, reaction), mark the
 * parts of the body that exist only for receivers that ignore the namespace (`Msg.Fallback`,
 * the XEP-0428 model) and number the pieces of a split message (`Msg.Part`).
 *
 * Identity is (namespace URI, name), never the prefix (RFC 3862 3.4): a sender may declare the
 * namespace under any prefix, and readers look headers up by the URI. Pure: no I/O.
 */
import { CodecError } from '../../errors.js';
import type { CpimMessage } from './types.js';
import { requirementFailureReason, unmetRequirements } from './require.js';

/** The namespace URI (spec 2.1); the prefix `Msg` is only what this gateway writes. */
export const MSG_NS = 'tag:cpim-gateway.org,2026:msg';
export const MSG_PREFIX = 'Msg';

/** spec 2.1: msg-id = 1*64( ALPHA / DIGIT / "-" / "." / "_" / "~" ), opaque and case-sensitive. */
export const MSG_ID_MAX = 64;
const MSG_ID_RE = /^[A-Za-z0-9._~-]{1,64}$/;
/** A reaction key is one emoji or a short word (IRC `+draft/react` and XEP-0444 carry one string). */
export const REACTION_KEY_MAX = 64;
/** Most fallback ranges read from one Msg.Fallback (a reply quote and one more are the uses). */
export const FALLBACK_RANGES_MAX = 16;

export type ReactionOp = 'add' | 'remove';

export interface Reaction {
  readonly op: ReactionOp;
  /** The id of the message reacted to. */
  readonly target: string;
  /** One emoji or short text (UTF-8, no line break). */
  readonly key: string;
}

/** Code points of the decoded text body, `end` exclusive; `end` null means to the end (`0-`). */
export interface FallbackRange {
  readonly start: number;
  readonly end: number | null;
}

export interface MessagePart {
  readonly n: number;
  readonly of: number;
}

/** What the `Msg` headers of one message say; every field is optional. */
export interface Relations {
  readonly id?: string;
  readonly replyTo?: string;
  readonly thread?: string;
  /** Edit: the id of the ORIGINAL message, also for a second edit (spec 2.1). */
  readonly replaces?: string;
  readonly retracts?: string;
  readonly reaction?: Reaction;
  readonly fallback?: readonly FallbackRange[];
  readonly part?: MessagePart;
}

/** The header names, in the order this gateway writes them. */
const NAMES = ['ID', 'Reply-To', 'Thread', 'Replaces', 'Retracts', 'Reaction', 'Fallback', 'Part'] as const;
type Name = (typeof NAMES)[number];
const KNOWN: ReadonlySet<string> = new Set(NAMES);

const RULE = 'message-semantics 2.1';

function bad(message: string, rule = RULE): never {
  throw new CodecError(message, rule);
}

/** Whether `value` is a msg-id (spec 2.1). The gateway's own ids (src/protocol/message-id.ts) are. */
export function isMsgId(value: string): boolean {
  return MSG_ID_RE.test(value);
}

function msgId(value: string, name: string): string {
  if (!isMsgId(value))
    bad(`Msg.${name} '${value.slice(0, 80)}' is no msg-id (1-${MSG_ID_MAX} of A-Z a-z 0-9 - . _ ~)`);
  return value;
}

function reactionKey(key: string): string {
  if (key === '' || key.trim() !== key) bad('Msg.Reaction: the key is empty or padded with spaces');
  if ([...key].length > REACTION_KEY_MAX) bad(`Msg.Reaction: the key is over ${REACTION_KEY_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) bad('Msg.Reaction: the key holds a control character');
  return key;
}

function readReaction(value: string): Reaction {
  const m = /^(add|remove) ([^ ]+) (.+)$/s.exec(value);
  if (m === null) bad(`Msg.Reaction '${value.slice(0, 80)}' is not "add|remove <msg-id> <key>"`);
  return { op: m[1] as ReactionOp, target: msgId(m[2]!, 'Reaction'), key: reactionKey(m[3]!) };
}

/** `0-2`, `0-`, `0-12,40-52`: start "-" [end], comma-separated, each start < end. */
export function readFallback(value: string): FallbackRange[] {
  const pieces = value.split(',');
  if (pieces.length > FALLBACK_RANGES_MAX) bad(`Msg.Fallback holds over ${FALLBACK_RANGES_MAX} ranges`);
  return pieces.map((p) => {
    const m = /^\s*(\d{1,9})-(\d{1,9})?\s*$/.exec(p);
    if (m === null) bad(`Msg.Fallback range '${p.slice(0, 40)}' is not start-end`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? null : Number(m[2]);
    if (end !== null && end <= start) bad(`Msg.Fallback range ${p.trim()} is empty or reversed`);
    return { start, end };
  });
}

function readPart(value: string): MessagePart {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(value);
  const n = Number(m?.[1]);
  const of = Number(m?.[2]);
  if (m === null || n < 1 || n > of) bad(`Msg.Part '${value.slice(0, 40)}' is not n/m with 1 <= n <= m`);
  return { n, of };
}

/**
 * The relations a message's `Msg` headers carry (looked up by namespace URI, RFC 3862 3.4). A
 * header of the namespace that is malformed, repeated (each is 0..1, spec 2.1) or contradicts
 * another (a message is at most one of edit, retraction and reaction) throws a CodecError naming
 * it; headers of the namespace this codec does not know are ignored (RFC 3862 2.2).
 */
export function readRelations(message: CpimMessage): Relations {
  const seen = new Map<Name, string>();
  for (const h of message.semantics.extensionHeaders) {
    if (h.namespace !== MSG_NS || !KNOWN.has(h.name)) continue;
    const name = h.name as Name;
    if (seen.has(name)) bad(`Msg.${name} appears twice; it may appear once`);
    seen.set(name, h.value);
  }
  const get = (n: Name): string | undefined => seen.get(n);
  const out: {
    -readonly [K in keyof Relations]: Relations[K];
  } = {};
  const id = get('ID');
  if (id !== undefined) out.id = msgId(id, 'ID');
  const replyTo = get('Reply-To');
  if (replyTo !== undefined) out.replyTo = msgId(replyTo, 'Reply-To');
  const thread = get('Thread');
  if (thread !== undefined) out.thread = msgId(thread, 'Thread');
  const replaces = get('Replaces');
  if (replaces !== undefined) out.replaces = msgId(replaces, 'Replaces');
  const retracts = get('Retracts');
  if (retracts !== undefined) out.retracts = msgId(retracts, 'Retracts');
  const reaction = get('Reaction');
  if (reaction !== undefined) out.reaction = readReaction(reaction);
  const fallback = get('Fallback');
  if (fallback !== undefined) out.fallback = readFallback(fallback);
  const part = get('Part');
  if (part !== undefined) out.part = readPart(part);
  checkConsistent(out);
  return out;
}

function checkConsistent(r: Relations): void {
  const kinds = [r.replaces, r.retracts, r.reaction].filter((x) => x !== undefined).length;
  if (kinds > 1) bad('a message is at most one of Msg.Replaces, Msg.Retracts and Msg.Reaction');
  const self = r.id;
  if (self !== undefined) {
    const targets = [r.replyTo, r.replaces, r.retracts, r.reaction?.target];
    // A relation to itself is a loop; relations are followed by id only, never recursively.
    if (targets.includes(self)) bad(`Msg.ID ${self} relates to itself`);
  }
}

/** Whether the message has any relation (reply, thread, edit, retraction, reaction). */
export function hasRelation(r: Relations): boolean {
  return (
    r.replyTo !== undefined ||
    r.thread !== undefined ||
    r.replaces !== undefined ||
    r.retracts !== undefined ||
    r.reaction !== undefined
  );
}

/**
 * spec 2.2 (RFC 3862 3.5, 4.7): `Require` only where a receiver that ignored the header would
 * misunderstand the message: a reaction or retraction with an empty body ("silent", like an IRC
 * TAGMSG) must not be shown as an empty line. Never otherwise: the other headers lose only context,
 * and with a fallback body a receiver that ignores them shows the fallback, as it was written for.
 */
export function requiredRelationNames(r: Relations, bodyEmpty: boolean): string[] {
  if (!bodyEmpty) return [];
  if (r.reaction !== undefined) return ['Reaction'];
  if (r.retracts !== undefined) return ['Retracts'];
  return [];
}

export interface RelationHeaders {
  readonly ns: readonly { readonly prefix: string; readonly uri: string }[];
  readonly require: readonly string[];
  readonly extraHeaders: readonly { readonly name: string; readonly value: string }[];
}

function fallbackText(ranges: readonly FallbackRange[]): string {
  return ranges.map((r) => `${r.start}-${r.end ?? ''}`).join(',');
}

/**
 * The `NS`, `Require` and `Msg.*` headers for buildCpim (spread them into its input; a message
 * with other extension headers merges the arrays). Validates as readRelations does, so what is
 * written can be read back; empty when `r` is empty. `bodyEmpty` applies the Require rule.
 */
export function relationHeaders(r: Relations, bodyEmpty: boolean): RelationHeaders {
  const values: [Name, string | undefined][] = [
    ['ID', r.id === undefined ? undefined : msgId(r.id, 'ID')],
    ['Reply-To', r.replyTo === undefined ? undefined : msgId(r.replyTo, 'Reply-To')],
    ['Thread', r.thread === undefined ? undefined : msgId(r.thread, 'Thread')],
    ['Replaces', r.replaces === undefined ? undefined : msgId(r.replaces, 'Replaces')],
    ['Retracts', r.retracts === undefined ? undefined : msgId(r.retracts, 'Retracts')],
    [
      'Reaction',
      r.reaction === undefined
        ? undefined
        : `${r.reaction.op} ${msgId(r.reaction.target, 'Reaction')} ${reactionKey(r.reaction.key)}`,
    ],
    ['Fallback', r.fallback === undefined || r.fallback.length === 0 ? undefined : fallbackText(r.fallback)],
    ['Part', r.part === undefined ? undefined : `${r.part.n}/${r.part.of}`],
  ];
  if (r.fallback !== undefined) readFallback(fallbackText(r.fallback));
  if (r.part !== undefined) readPart(`${r.part.n}/${r.part.of}`);
  checkConsistent(r);
  const extraHeaders = values
    .filter((v): v is [Name, string] => v[1] !== undefined)
    .map(([name, value]) => ({ name: `${MSG_PREFIX}.${name}`, value }));
  if (extraHeaders.length === 0) return { ns: [], require: [], extraHeaders: [] };
  return {
    ns: [{ prefix: MSG_PREFIX, uri: MSG_NS }],
    require: requiredRelationNames(r, bodyEmpty).map((n) => `${MSG_PREFIX}.${n}`),
    extraHeaders,
  };
}

/**
 * The text to show: `text` without the fallback ranges (spec 2.1: a receiver that understands
 * `Msg` MUST remove them before display). Positions are code points; ranges past the end are
 * clipped, overlapping ones merge. An entirely-fallback body becomes '' (MUST NOT be displayed).
 */
export function stripFallback(text: string, ranges: readonly FallbackRange[] | undefined): string {
  if (ranges === undefined || ranges.length === 0) return text;
  const cps = [...text];
  const drop = new Uint8Array(cps.length);
  for (const r of ranges) {
    const end = Math.min(r.end ?? cps.length, cps.length);
    for (let i = r.start; i < end; i++) drop[i] = 1;
  }
  let out = '';
  for (let i = 0; i < cps.length; i++) if (drop[i] === 0) out += cps[i]!;
  return out;
}

/**
 * What a receiver that implements no part of the Msg namespace does with `message` when its
 * `Require` names something it does not implement (RFC 3862 §3.5, §4.7; message-semantics §2.2):
 * a requirement of Msg headers only is a silent reaction or deletion, which has nothing to show
 * there, so it is dropped (`drop`, with what it was); any other unmet requirement refuses the
 * message (`refuse`, with the sentence to answer). Null when nothing unmet is required.
 */
export function unmetRequireAction(
  message: CpimMessage,
):
  | { readonly action: 'drop'; readonly what: string }
  | { readonly action: 'refuse'; readonly reason: string }
  | null {
  const unmet = unmetRequirements(message, []);
  if (unmet.length === 0) return null;
  if (unmet.every((r) => r.namespace === MSG_NS)) {
    const names = new Set(unmet.map((r) => r.name));
    return {
      action: 'drop',
      what: names.has('Reaction') ? 'a reaction' : names.has('Retracts') ? 'a deletion' : 'a relation',
    };
  }
  return { action: 'refuse', reason: requirementFailureReason(unmet) };
}
