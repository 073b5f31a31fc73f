/**
 * The XMPP elements of message relations (issue 17; docs/adapters/xmpp-mapping.md "Relations"),
 * read from a `<message/>` and written into one. Every id here is an XMPP id (an `id` attribute,
 * an origin-id or a stanza-id), never a gateway id: relation-ids.ts turns them into each other.
 * Pure: the library's element builder escapes; nothing does I/O.
 *
 * - XEP-0359 `<origin-id id>` (the sender's own id) and `<stanza-id id by>` (the id an archive
 *   gave; §5: trusted only when `by` is an entity that vouches for it, for us the hosted room);
 * - XEP-0461 `<reply id to>`, its quote marked by XEP-0428 `<fallback for><body start end/>`;
 * - XEP-0308 `<replace id>` (a correction; id = the ORIGINAL message's);
 * - XEP-0424 `<retract id xmlns='urn:xmpp:message-retract:1'/>`; the older form
 *   `<apply-to id xmlns='urn:xmpp:fasten:0'><retract xmlns='urn:xmpp:message-retract:0'/>` read;
 * - XEP-0444 `<reactions id><reaction>key</reaction>…</reactions>`: the sender's full current set.
 */
import { xml, type Element } from '@xmpp/component';
import type { FallbackRange } from '../../src/index.js';

export const NS_SID = 'urn:xmpp:sid:0';
export const NS_REPLY = 'urn:xmpp:reply:0';
export const NS_FALLBACK = 'urn:xmpp:fallback:0';
export const NS_CORRECT = 'urn:xmpp:message-correct:0';
export const NS_RETRACT = 'urn:xmpp:message-retract:1';
export const NS_RETRACT_0 = 'urn:xmpp:message-retract:0';
export const NS_FASTEN = 'urn:xmpp:fasten:0';
export const NS_REACTIONS = 'urn:xmpp:reactions:0';
export const NS_HINTS = 'urn:xmpp:hints';

/** What one stanza says about other messages, in XMPP ids. */
export interface StanzaRelations {
  readonly originId?: string;
  /** A stanza-id whose `by` the caller trusts (XEP-0359 §5). */
  readonly stanzaId?: string;
  readonly reply?: { readonly id: string; readonly to?: string };
  /** XEP-0428 ranges of the body that quote the parent (`for` = XEP-0461). */
  readonly replyFallback?: readonly FallbackRange[];
  readonly replace?: string;
  readonly retract?: string;
  /** XEP-0444: every key the sender's reaction set on `id` holds now (possibly none). */
  readonly reactions?: { readonly id: string; readonly keys: readonly string[] };
}

const attr = (el: Element | undefined, name: string): string | undefined => {
  const v = el?.attrs[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** XEP-0428 §4: `<body start end/>` ranges (code points, end exclusive) for namespace `forNs`. */
function fallbackRanges(el: Element, forNs: string): FallbackRange[] | undefined {
  const fb = el.getChildren('fallback', NS_FALLBACK).find((f) => f.attrs.for === forNs);
  if (fb === undefined) return undefined;
  const out: FallbackRange[] = [];
  for (const b of fb.getChildren('body')) {
    const start = Number(b.attrs.start);
    const end = Number(b.attrs.end);
    if (Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end > start)
      out.push({ start, end });
  }
  // XEP-0428 §4: a fallback without a range marks the whole body.
  if (out.length === 0 && fb.getChildren('body').length === 0) out.push({ start: 0, end: null });
  return out.length === 0 ? undefined : out;
}

/**
 * The relations of a message stanza. `trustStanzaIdBy`: the only `by` whose stanza-id is read
 * (XEP-0359 §5; an id anyone could write is otherwise ignored). `maxReactions`: a reactions
 * element with more distinct keys than this is returned as `tooManyReactions`.
 */
export function readStanzaRelations(
  el: Element,
  o: { readonly trustStanzaIdBy?: string; readonly maxReactions: number },
): StanzaRelations & { readonly tooManyReactions?: true } {
  const originId = attr(el.getChild('origin-id', NS_SID), 'id');
  const sid = el
    .getChildren('stanza-id', NS_SID)
    .find((s) => o.trustStanzaIdBy !== undefined && s.attrs.by === o.trustStanzaIdBy);
  const stanzaId = attr(sid, 'id');
  const replyEl = el.getChild('reply', NS_REPLY);
  const replyId = attr(replyEl, 'id');
  const replyTo = attr(replyEl, 'to');
  const replace = attr(el.getChild('replace', NS_CORRECT), 'id');
  const fasten = el.getChildren('apply-to', NS_FASTEN).find((a) => a.getChild('retract', NS_RETRACT_0));
  const retract = attr(el.getChild('retract', NS_RETRACT), 'id') ?? attr(fasten, 'id');
  const reactionsEl = el.getChild('reactions', NS_REACTIONS);
  const reactionsId = attr(reactionsEl, 'id');
  let reactions: StanzaRelations['reactions'];
  let tooMany = false;
  if (reactionsEl !== undefined && reactionsId !== undefined) {
    const keys = new Set<string>();
    for (const r of reactionsEl.getChildren('reaction')) {
      keys.add(r.getText());
      if (keys.size > o.maxReactions) {
        tooMany = true;
        break;
      }
    }
    reactions = { id: reactionsId, keys: [...keys] };
  }
  const replyFallback = replyId === undefined ? undefined : fallbackRanges(el, NS_REPLY);
  return {
    ...(originId === undefined ? {} : { originId }),
    ...(stanzaId === undefined ? {} : { stanzaId }),
    ...(replyId === undefined
      ? {}
      : { reply: replyTo === undefined ? { id: replyId } : { id: replyId, to: replyTo } }),
    ...(replyFallback === undefined ? {} : { replyFallback }),
    ...(replace === undefined ? {} : { replace }),
    ...(retract === undefined ? {} : { retract }),
    ...(reactions === undefined || tooMany ? {} : { reactions }),
    ...(tooMany ? { tooManyReactions: true as const } : {}),
  };
}

/** What to write into an outbound stanza, in XMPP ids. */
export interface RelationOut {
  readonly reply?: { readonly id: string; readonly to?: string };
  /** The reply's quote in the body (XEP-0428), code points. */
  readonly replyFallback?: readonly FallbackRange[];
  readonly replace?: string;
  readonly retract?: string;
  readonly reactions?: { readonly id: string; readonly keys: readonly string[] };
}

function fallbackEl(
  forNs: string,
  ranges: readonly FallbackRange[] | undefined,
  bodyLength: number,
): Element {
  return xml(
    'fallback',
    { xmlns: NS_FALLBACK, for: forNs },
    ...(ranges ?? []).map((r) => xml('body', { start: String(r.start), end: String(r.end ?? bodyLength) })),
  );
}

/**
 * The child elements for `r` (after the body). A retraction carries a fallback body for clients
 * without XEP-0424, marked as such (XEP-0424 §4 with XEP-0428), and a store hint (XEP-0334) so
 * archives keep it; so does a reactions element (XEP-0444 §3.2), which has no body.
 */
export function relationElements(r: RelationOut, body: string): Element[] {
  const out: Element[] = [];
  const len = [...body].length;
  if (r.reply !== undefined) {
    out.push(xml('reply', { xmlns: NS_REPLY, id: r.reply.id, to: r.reply.to }));
    if (r.replyFallback !== undefined && r.replyFallback.length > 0)
      out.push(fallbackEl(NS_REPLY, r.replyFallback, len));
  }
  if (r.replace !== undefined) out.push(xml('replace', { xmlns: NS_CORRECT, id: r.replace }));
  if (r.retract !== undefined) {
    out.push(xml('retract', { xmlns: NS_RETRACT, id: r.retract }));
    out.push(xml('fallback', { xmlns: NS_FALLBACK, for: NS_RETRACT }));
    out.push(xml('store', { xmlns: NS_HINTS }));
  }
  if (r.reactions !== undefined) {
    out.push(
      xml(
        'reactions',
        { xmlns: NS_REACTIONS, id: r.reactions.id },
        ...r.reactions.keys.map((k) => xml('reaction', {}, k)),
      ),
    );
    out.push(xml('store', { xmlns: NS_HINTS }));
  }
  return out;
}

/** XEP-0359 `<origin-id id>`: the gateway id of every stanza the component sends. */
export function originIdElement(id: string): Element {
  return xml('origin-id', { xmlns: NS_SID, id });
}
