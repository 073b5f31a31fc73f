/**
 * Replies, edits, deletions and reactions of web users (issue 17; docs/adapters/web-chat.md
 * "Replies, edits, deletions and reactions"; docs/message-semantics.md).
 *
 * Outgoing: a `send` with `replyTo`, `replaces`, `retracts` or `reaction` becomes a CPIM message
 * with the `Msg` headers (src/codec/cpim/relations.ts) and the fallback body of
 * message-semantics 2.3: a reply quotes its parent, an edit is `* new text`, a deletion and a
 * reaction are silent (empty body, `Require`, 2.2).
 *
 * The author check: a web user edits and deletes only their own messages. What decides is the
 * adapter's own record (`KnownMessages`: id → author and a short excerpt, kept in the store's
 * mappings, bounded by `limits.maxKnownMessages`), written for every message a web user sends
 * or is shown. An id it does not hold (never seen, or forgotten) cannot be edited or deleted.
 * Incoming edits and deletions of a message the record holds under another author are shown as
 * plain text (their fallback), never applied. Relations are read by id only, never followed.
 */
import {
  CodecError,
  editFallback,
  readRelations,
  stripFallback,
  type CpimMessage,
  quoteSnippet,
  replyFallback,
  KeptMap,
  type Logger,
  type Relations,
  type Store,
} from '../../src/index.js';
import type { WireRelations } from './protocol-relations.js';
import type { ClientFrame } from './protocol.js';

type SendFrame = Extract<ClientFrame, { type: 'send' }>;

/** An excerpt long enough for a reply's quote (message-semantics 2.3: 80 characters). */
const EXCERPT_CHARS = 200;

export interface KnownMessage {
  /** The author's im: URI. */
  readonly author: string;
  /** The start of its text ('' once deleted). */
  readonly text: string;
}

/** id → author and excerpt, bounded, kept across restarts (src/store/kept-map.ts). */
export class KnownMessages {
  private readonly map: KeptMap;

  constructor(store: Store | null, namespace: string, max: number, log?: Logger) {
    this.map = new KeptMap(store, namespace, { max, log });
  }

  load(): Promise<void> {
    return this.map.load();
  }

  get(id: string): KnownMessage | undefined {
    const v = this.map.get(id);
    if (v === undefined) return undefined;
    try {
      const r = JSON.parse(v) as { a?: unknown; x?: unknown };
      return typeof r.a === 'string' && typeof r.x === 'string' ? { author: r.a, text: r.x } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records a message (its write is not awaited: a lost row costs only a later check). */
  remember(id: string, author: string, text: string): void {
    // Code points, not UTF-16 units; only the start of a long text is spread (per message).
    const x =
      text.length <= EXCERPT_CHARS
        ? text
        : [...text.slice(0, EXCERPT_CHARS * 2)].slice(0, EXCERPT_CHARS).join('');
    this.map.set(id, JSON.stringify({ a: author, x })).catch(() => undefined);
  }
}

/** The name a quote shows: a URI's local part (`im:alice@web.test` → `alice`). */
export function nickOf(uri: string): string {
  const m = /^[a-z]+:([^@]*)@/i.exec(uri);
  return m?.[1] !== undefined && m[1] !== '' ? m[1] : uri;
}

export interface Outgoing {
  /** The text body of the CPIM message (with its fallback). */
  readonly body: string;
  readonly relations: Relations;
  /** What the author's other tabs and web readers are shown. */
  readonly shown: WireRelations;
  /** The text shown (the user's, without fallback). */
  readonly text: string;
}

/**
 * The CPIM body and relations of a web user's send, or why it is refused (the author check).
 * `id` is the send's own id (Msg.ID = the IMTP Message-ID).
 */
export function outgoing(known: KnownMessages, author: string, id: string, f: SendFrame): Outgoing | string {
  const text = f.text ?? '';
  const own = (target: string, what: string): string | null => {
    const k = known.get(target);
    if (k === undefined) return `${what}: message ${target} is unknown here (too old, or never seen)`;
    return k.author === author ? null : `${what}: only your own messages`;
  };
  if (f.replaces !== undefined) {
    const why = own(f.replaces, 'edit');
    if (why !== null) return why;
    const fb = editFallback(text);
    return {
      body: fb.body,
      relations: { id, replaces: f.replaces, fallback: fb.fallback },
      shown: { replaces: f.replaces },
      text,
    };
  }
  if (f.retracts !== undefined) {
    const why = own(f.retracts, 'delete');
    if (why !== null) return why;
    // Silent (message-semantics 2.2 default): empty body, Require: Msg.Retracts.
    return { body: '', relations: { id, retracts: f.retracts }, shown: { retracts: f.retracts }, text: '' };
  }
  if (f.reaction !== undefined)
    return { body: '', relations: { id, reaction: f.reaction }, shown: { reaction: f.reaction }, text: '' };
  if (f.replyTo !== undefined) {
    const parent = known.get(f.replyTo);
    if (parent === undefined)
      return { body: text, relations: { id, replyTo: f.replyTo }, shown: { replyTo: f.replyTo }, text };
    const nick = nickOf(parent.author);
    const fb = replyFallback(nick, parent.text, text);
    return {
      body: fb.body,
      relations: { id, replyTo: f.replyTo, fallback: fb.fallback },
      shown: { replyTo: f.replyTo, quote: `${nick}: ${quoteSnippet(parent.text)}` },
      text,
    };
  }
  return { body: text, relations: { id }, shown: {}, text };
}

/** The frame fields of relations read from a message (the quote is added by the reader). */
export function wireRelations(r: Relations): WireRelations {
  return {
    ...(r.replyTo === undefined ? {} : { replyTo: r.replyTo }),
    ...(r.thread === undefined ? {} : { thread: r.thread }),
    ...(r.replaces === undefined ? {} : { replaces: r.replaces }),
    ...(r.retracts === undefined ? {} : { retracts: r.retracts }),
    ...(r.reaction === undefined ? {} : { reaction: { ...r.reaction } }),
  };
}

/**
 * Incoming: records the message, and keeps an edit or deletion only when its target is unknown
 * or the sender's own; one of someone else's message is shown as plain text instead.
 */
export function acceptIncoming(
  known: KnownMessages,
  id: string | undefined,
  from: string,
  text: string,
  rel: WireRelations,
): WireRelations {
  const target = rel.replaces ?? rel.retracts;
  if (target !== undefined) {
    const k = known.get(target);
    if (k !== undefined && k.author !== from) {
      const { replaces: _e, retracts: _d, ...rest } = rel;
      return rest;
    }
    if (k !== undefined) known.remember(target, k.author, rel.retracts !== undefined ? '' : text);
    return rel;
  }
  if (id !== undefined && rel.reaction === undefined) known.remember(id, from, text);
  return rel;
}

/**
 * A message's relations as the page sees them, and its text without the fallback
 * (message-semantics 2.1: removed before display). A reply's quote line (`> nick: text`) becomes
 * `quote`. Malformed `Msg` headers are not applied: the message is shown as plain text, fallback
 * included, so nothing is lost.
 */
export function relationsOf(m: CpimMessage | Relations | undefined): Relations {
  if (m === undefined) return {};
  if (!('semantics' in m)) return m;
  try {
    return readRelations(m);
  } catch (err) {
    if (err instanceof CodecError) return {};
    throw err;
  }
}

export function withoutFallback(text: string, r: Relations): { text: string; quote?: string } {
  if (r.fallback === undefined) return { text };
  const shown = stripFallback(text, r.fallback);
  // All fallback, yet neither a deletion nor a reaction (which show nothing): the fallback is all
  // there is to show, so it is shown whole rather than as an empty message.
  if (shown.trim() === '' && r.retracts === undefined && r.reaction === undefined) return { text };
  const first = r.fallback[0]!;
  if (r.replyTo === undefined || first.start !== 0 || first.end === null) return { text: shown };
  const head = [...text].slice(0, first.end).join('');
  return head.startsWith('> ') ? { text: shown, quote: head.slice(2).trim() } : { text: shown };
}
