/**
 * XMPP presence ⇄ PIDF by RFC 3922 §5 and §6.3 (docs/adapters/xmpp-mapping.md "Presence"). Pure, no I/O: the
 * XMPP side is a plain object the I/O layer reads from and writes to a `<presence/>` stanza; the PIDF side
 * uses the repository's PIDF codec (src/codec/pidf, through src/index.ts).
 *
 * Only availability presence is mapped here. Subscription types (`subscribe`, `subscribed`, ...,
 * RFC 6121 §3) and `probe` are PITP operations, not PIDF (RFC 3922 §6), and `error` is an answer.
 */
import {
  buildPidf,
  isNcName,
  toIm,
  type PidfDocument,
  type PidfNote,
  type PidfTuple,
  type PidfTupleInput,
  type PresAddress,
  type XmlElement,
} from '../../src/index.js';
import { cpimToXmpp, xmppToCpim, type XmppAddressing } from './addresses.js';
import { formatJid, parseJid } from './jid-escape.js';

/** RFC 6121 §4.7.2.1: the four values of `<show/>`. */
export type XmppShow = 'away' | 'chat' | 'dnd' | 'xa';
export const XMPP_SHOWS: readonly XmppShow[] = ['away', 'chat', 'dnd', 'xa'];

/** Text with its `xml:lang` (RFC 6121 §4.7.2.2: several `<status/>` in different languages). */
export interface XmppText {
  readonly text: string;
  readonly lang?: string;
}

/** An availability presence stanza (RFC 6121 §4.7), as the I/O layer reads and writes it. */
export interface XmppPresence {
  readonly from: string;
  readonly to: string;
  /** Absent: available. */
  readonly type?: 'unavailable';
  readonly show?: XmppShow;
  readonly status?: readonly XmppText[];
  /** RFC 6121 §4.7.2.3: -128..127. */
  readonly priority?: number;
  /** XEP-0203 `<delay stamp>`, when the stanza carries one. */
  readonly delay?: Date;
}

/** The never-registered namespace RFC 3922 §5.1.5 uses for `<im:im>` (docs/adapters/xmpp-mapping.md "Presence"). */
export const PIDF_IM_NS = 'urn:ietf:params:xml:ns:pidf:im';
/** RFC 4480 RPID and RFC 4479 data model, the registered way to say away/busy. */
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';
export const DM_NS = 'urn:ietf:params:xml:ns:pidf:data-model';

// --- Tuple ids ⇄ resources ------------------------------------------------------------------

// RFC 3922 §5.1.1: the tuple id SHOULD be the resource. A tuple id is an xs:ID (an NCName), a
// resource is almost any text (RFC 7622 §3.4, `Home Laptop/2`), so a resource that is not an
// NCName, or that starts with our marker, is written `_x` + letters and digits as they are and
// every other character as `-<hex>.`: reversible, and still an NCName (derived).
const MARK = '_x';

/** The tuple id for a resource ('' for a bare JID). */
export function tupleIdOf(resource: string): string {
  if (resource !== '' && isNcName(resource) && !resource.startsWith(MARK)) return resource;
  let out = MARK;
  for (const ch of resource) out += /^[A-Za-z0-9]$/.test(ch) ? ch : `-${ch.codePointAt(0)!.toString(16)}.`;
  return out;
}

/** The resource a tuple id stands for (the inverse of tupleIdOf; other ids are taken as they are). */
export function resourceOf(tupleId: string): string {
  if (!tupleId.startsWith(MARK)) return tupleId;
  const body = tupleId.slice(MARK.length);
  if (!/^(?:[A-Za-z0-9]|-[0-9a-f]{1,6}\.)*$/.test(body)) return tupleId;
  return body.replace(/-([0-9a-f]{1,6})\./g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)));
}

// --- Priority ---------------------------------------------------------------------------------

/**
 * RFC 3922 §5.1.7: XMPP priority → contact priority. Negative values MUST NOT be mapped (null);
 * 0..127 scale linearly to 0..1, rounded to the three decimals of a qvalue (13 → 0.102).
 */
export function priorityToQvalue(priority: number): number | null {
  if (!Number.isInteger(priority) || priority < 0) return null;
  return Math.round((Math.min(priority, 127) / 127) * 1000) / 1000;
}

/** RFC 3922 §5.2.13: contact priority → XMPP priority, never negative (0.5 → 64). */
export function qvalueToPriority(q: number): number {
  return Math.max(0, Math.min(127, Math.round(q * 127)));
}

// --- Show ⇄ extended status -------------------------------------------------------------------

// RFC 3922 §5.1.5 / §5.2.10 put `<show/>` into `<im:im>`; its values were never registered. We write
// the show value itself, except dnd as `busy` (RFC 3863 §6's example value, and the vectors' reverse
// case "im:im busy → dnd"), so the four values round-trip (derived).
const SHOW_TO_IM: Readonly<Record<XmppShow, string>> = { away: 'away', chat: 'chat', dnd: 'busy', xa: 'xa' };
const IM_TO_SHOW: Readonly<Record<string, XmppShow>> = {
  away: 'away',
  chat: 'chat',
  busy: 'dnd',
  dnd: 'dnd',
  xa: 'xa',
};
// RFC 4480 §3.2 activities, for readers that know RPID (the web chat adapter does): away and xa are
// `away`, dnd is `busy`, chat has no activity.
const SHOW_TO_RPID: Readonly<Partial<Record<XmppShow, string>>> = { away: 'away', xa: 'away', dnd: 'busy' };

function el(ns: string, name: string, children: XmlElement['children'] = [], id?: string): XmlElement {
  return { ns, name, attributes: id === undefined ? [] : [{ ns: null, name: 'id', value: id }], children };
}

function childElements(e: XmlElement): XmlElement[] {
  return e.children.filter((c): c is XmlElement => typeof c !== 'string');
}

function findElement(els: readonly XmlElement[], ns: string, name: string): XmlElement | null {
  for (const e of els) {
    if (e.ns === ns && e.name === name) return e;
    const inner = findElement(childElements(e), ns, name);
    if (inner) return inner;
  }
  return null;
}

// --- XMPP → PIDF ------------------------------------------------------------------------------

/** What one XMPP resource contributes: the presentity and its tuple (RFC 3922 §6.3.1). */
export interface ResourcePresence {
  readonly entity: PresAddress;
  readonly tuple: PidfTupleInput;
  /** RPID activities for the person element (RFC 4479 §3.1), when the show has one. */
  readonly activity?: string;
}

/**
 * One presence stanza → the tuple of its resource (RFC 3922 §5.1):
 * - entity `pres:` + bare JID (§5.1.1-5.1.3); tuple id = resource (§5.1.1, tupleIdOf);
 * - no type → `open`, `unavailable` → `closed` (§5.1.4);
 * - `<show/>` → `<im:im>` in the status (§5.1.5), while available only;
 * - each `<status xml:lang>` → a `<note xml:lang>` (§5.1.6);
 * - `<priority/>` → `<contact priority>` with the user's `im:` address (§5.1.7; negative: no priority);
 * - timestamp: the XEP-0203 delay stamp, else `now` (RFC 3863 §4.1.7 MAY; the gateway's own data).
 */
export function presenceToTuple(p: XmppPresence, a: XmppAddressing, now: Date): ResourcePresence {
  const entity = xmppToCpim(p.from, 'pres', a);
  const resource = parseJid(p.from).resource;
  const open = p.type !== 'unavailable';
  const show = open ? p.show : undefined;
  const priority = p.priority === undefined ? null : priorityToQvalue(p.priority);
  const tuple: PidfTupleInput = {
    id: tupleIdOf(resource),
    basic: open ? 'open' : 'closed',
    statusExtensions: show === undefined ? [] : [el(PIDF_IM_NS, 'im', [SHOW_TO_IM[show]])],
    contact: { uri: toIm(entity).uri, priority },
    notes: (p.status ?? []).map((s) => ({ lang: s.lang ?? null, text: s.text })),
    timestamp: (p.delay ?? now).toISOString(),
  };
  const activity = show === undefined ? undefined : SHOW_TO_RPID[show];
  return activity === undefined ? { entity, tuple } : { entity, tuple, activity };
}

/**
 * The PIDF document for a presentity from its resources' tuples (RFC 3922 §6.3.1: one tuple per
 * connected resource). Null for no resources: the gateway MUST NOT emit a zero-tuple PIDF (§6.3.2);
 * the caller publishes `closed` for the last resource instead.
 */
export function resourcesToPidf(resources: readonly ResourcePresence[]): string | null {
  if (resources.length === 0) return null;
  const entity = resources[0]!.entity;
  const activities = [...new Set(resources.flatMap((r) => (r.activity === undefined ? [] : [r.activity])))];
  const person =
    activities.length === 0
      ? []
      : [
          el(
            DM_NS,
            'person',
            [
              el(
                RPID_NS,
                'activities',
                activities.map((x) => el(RPID_NS, x)),
              ),
            ],
            'p',
          ),
        ];
  return buildPidf({ entity: entity.uri, tuples: resources.map((r) => r.tuple), extensions: person });
}

/** One stanza → a one-tuple PIDF document (presenceToTuple, then resourcesToPidf). */
export function presenceToPidf(p: XmppPresence, a: XmppAddressing, now: Date): string {
  return resourcesToPidf([presenceToTuple(p, a, now)])!;
}

// --- PIDF → XMPP ------------------------------------------------------------------------------

function showOf(t: PidfTuple, doc: PidfDocument): XmppShow | undefined {
  const im = findElement(t.statusExtensions, PIDF_IM_NS, 'im') ?? findElement(t.extensions, PIDF_IM_NS, 'im');
  if (im !== null) {
    const v =
      IM_TO_SHOW[
        im.children
          .filter((c) => typeof c === 'string')
          .join('')
          .trim()
      ];
    if (v !== undefined) return v;
  }
  // RPID (RFC 4480 §3.2), accepted on input too (docs/adapters/xmpp-mapping.md "Presence").
  const all = [...t.statusExtensions, ...t.extensions, ...doc.extensions];
  const acts = findElement(all, RPID_NS, 'activities');
  if (acts !== null) {
    const names = childElements(acts).map((e) => e.name);
    if (names.includes('busy')) return 'dnd';
    if (names.includes('away')) return 'away';
  }
  return undefined;
}

function statusOf(notes: readonly PidfNote[]): XmppText[] {
  return notes.map((n) => (n.lang === null ? { text: n.text } : { text: n.text, lang: n.lang }));
}

/**
 * A PIDF document → presence stanzas to `to` (RFC 3922 §5.2, §6.3):
 * - `from`: the presentity's JID (cpimToXmpp) + `/` + the tuple's resource (§5.2.1; a tuple id
 *   that is no valid resource gives the bare JID);
 * - `open` → no type, `closed` → `unavailable` (§5.2.9); a tuple without `<basic>` says nothing
 *   about availability and is skipped (never invent `open`, docs/cpim.md part 4);
 * - `<im:im>` or RPID → `<show/>` (§5.2.10), notes → `<status xml:lang>` (§5.2.11; tuple notes,
 *   else the document's), contact priority → `<priority/>` (§5.2.13, never negative);
 * - contact URI and timestamp are not passed (§5.2.12, §5.2.14);
 * - one stanza per tuple (§6.3.1); zero tuples → one available stanza from the bare JID (§6.3.2).
 */
export function pidfToPresences(doc: PidfDocument, to: string, a: XmppAddressing): XmppPresence[] {
  const bare = cpimToXmpp(doc.entity, a);
  if (doc.tuples.length === 0) {
    const status = statusOf(doc.notes);
    return [status.length === 0 ? { from: bare, to } : { from: bare, to, status }];
  }
  const out: XmppPresence[] = [];
  for (const t of doc.tuples) {
    if (t.basic === null) continue;
    let from = bare;
    const resource = resourceOf(t.id);
    try {
      if (resource !== '') from = formatJid({ ...parseJid(bare), resource });
    } catch {
      // Not a valid resourcepart (RFC 7622 §3.4): the bare JID still names the presentity.
    }
    const open = t.basic === 'open';
    const show = open ? showOf(t, doc) : undefined;
    const status = statusOf(t.notes.length > 0 ? t.notes : doc.notes);
    const priority = t.contact?.priority;
    out.push({
      from,
      to,
      ...(open ? {} : { type: 'unavailable' as const }),
      ...(show === undefined ? {} : { show }),
      ...(status.length === 0 ? {} : { status }),
      ...(priority === null || priority === undefined ? {} : { priority: qvalueToPriority(priority) }),
    });
  }
  return out;
}

/**
 * RFC 3922 §6.3.1: towards XMPP, only the tuples that changed SHOULD be sent. The ids of the tuples
 * of `next` that are new or differ from `prev`, and of those `prev` had and `next` dropped.
 */
export function changedTupleIds(
  prev: PidfDocument | null,
  next: PidfDocument,
): { changed: string[]; gone: string[] } {
  const before = new Map((prev?.tuples ?? []).map((t) => [t.id, JSON.stringify({ ...t, timestamp: null })]));
  const changed = next.tuples
    .filter((t) => before.get(t.id) !== JSON.stringify({ ...t, timestamp: null }))
    .map((t) => t.id);
  const now = new Set(next.tuples.map((t) => t.id));
  const gone = [...before.keys()].filter((id) => !now.has(id));
  return { changed, gone };
}
