/**
 * Translation between Hudson's `application/presence` and PIDF, per spec/hub-protocol.md 5.4.
 *
 * The hub carries PIDF verbatim; this mapping is only for edge clients that speak Hudson's
 * format, and never for signed or encrypted bodies (the caller decides that). It is lossy:
 * what has no counterpart is dropped and listed in `dropped`.
 */
import { CodecError } from '../errors.js';
import { checkDateTime } from '../model/datetime.js';
import { buildPidf } from './pidf/build.js';
import { describePidf } from './pidf/inspect.js';
import type { PidfInspectReport } from './pidf/inspect.js';
import { isAbsoluteUri } from './pidf/types.js';
import type { PidfBuildInput, PidfDocument, PidfTupleInput } from './pidf/types.js';
import { parsePresenceText } from './presence-text/index.js';
import type {
  PresenceContactInput,
  PresenceDocument,
  PresenceDocumentInput,
  PresenceStatus,
  PresenceTextOptions,
} from './presence-text/index.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// draft-hudson-impp-pidf-proposal-01 5.2: RFC 822 5 as amended by RFC 1123 5.2.14, numeric
// zones only, day and month names matched case-insensitively:
//   date-time = [day ","] date time ; date = 1*2DIGIT month 4DIGIT
//   time = hour zone ; hour = 2DIGIT ":" 2DIGIT [":" 2DIGIT] ; zone = ("+" / "-") 4DIGIT
const RFC822 =
  /^[ \t]*(?:([A-Za-z]{3})[ \t]*,[ \t]*)?(\d{1,2})[ \t]+([A-Za-z]{3})[ \t]+(\d{4})[ \t]+(\d{2}):(\d{2})(?::(\d{2}))?[ \t]+([+-])(\d{2})(\d{2})[ \t]*$/;

const pad = (n: number | string, w = 2) => String(n).padStart(w, '0');

/** The RFC 822 date as an RFC 3339 date-time keeping its offset, or the reason it is invalid. */
function convert822(text: string): { value: string } | { reason: string } {
  const m = RFC822.exec(text);
  if (!m) return { reason: `"${text}" is not an RFC 822 date with a numeric zone` };
  const [, day, d, mon, y, hh, mm, ss, sign, zh, zm] = m;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === mon!.toLowerCase());
  if (month < 0) return { reason: `unknown month "${mon}"` };
  if (day !== undefined && !DAYS.some((x) => x.toLowerCase() === day.toLowerCase())) {
    return { reason: `unknown day "${day}"` };
  }
  const value = `${y}-${pad(month + 1)}-${pad(d!)}T${hh}:${mm}:${ss ?? '00'}${sign}${zh}:${zm}`;
  const bad = checkDateTime(value, { upperCaseOnly: true });
  if (bad !== null) return { reason: bad };
  if (day !== undefined) {
    const actual = DAYS[new Date(Date.UTC(Number(y), month, Number(d))).getUTCDay()]!;
    if (actual.toLowerCase() !== day.toLowerCase())
      return { reason: `${y}-${pad(month + 1)}-${pad(d!)} is a ${actual}, not ${day}` };
  }
  return { value };
}

/** Null when `text` is a valid draft date (5.2), else why not. */
export function checkRfc822Date(text: string): string | null {
  const r = convert822(text);
  return 'reason' in r ? r.reason : null;
}

/** `Thu, 30 Mar 2000 09:59:34 -0500` → `2000-03-30T09:59:34-05:00`; null when invalid. */
export function rfc822ToRfc3339(text: string): string | null {
  const r = convert822(text);
  return 'value' in r ? r.value : null;
}

/** RFC 3339 → draft date (RFC 822, numeric zone, fraction dropped); null when invalid. */
export function rfc3339ToRfc822(ts: string): string | null {
  if (checkDateTime(ts) !== null) return null;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(ts)!;
  const [, y, mo, d, hh, mm, ss, sign, zh, zm] = m;
  const wd = DAYS[new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay()]!;
  const zone = sign === undefined ? '+0000' : `${sign}${zh}${zm}`;
  return `${wd}, ${Number(d)} ${MONTHS[Number(mo) - 1]!} ${y} ${hh}:${mm}:${ss} ${zone}`;
}

export interface MappingResult<T> {
  readonly result: T;
  readonly warnings: readonly string[];
  /** What had no counterpart in the target format. */
  readonly dropped: readonly string[];
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** docs/hub-protocol.md 5.1: `presence:` ↔ `pres:`; scheme-less ids default to presence (4 #8). */
export function presentityToEntity(presentity: string): string {
  if (/^presence:/i.test(presentity)) return `pres:${presentity.slice('presence:'.length)}`;
  return SCHEME.test(presentity) ? presentity : `pres:${presentity}`;
}

export function entityToPresentity(entity: string): string {
  return /^pres:/i.test(entity) ? `presence:${entity.slice('pres:'.length)}` : entity;
}

/** docs/hub-protocol.md 5.1 / 4 #9: `imto:` is an alias of `im:` on input and is never emitted. */
function contactUri(url: string): string {
  return /^imto:/i.test(url) ? `im:${url.slice('imto:'.length)}` : url;
}

/**
 * Priorities for ranked contacts: 1.0, 0.9, 0.8 … for up to ten distinct preferences;
 * with more, evenly spaced steps of at least 0.001 (the qvalue resolution), floor 0.001 so
 * a ranked contact never ties with an unranked one (absent priority = lowest, RFC 3863 4.1.5).
 */
export function rankPriorities(preferences: readonly number[]): Map<number, number> {
  const distinct = [...new Set(preferences)].sort((a, b) => a - b);
  const k = distinct.length;
  const stepMillis = k <= 10 ? 100 : Math.max(1, Math.floor(999 / (k - 1)));
  const out = new Map<number, number>();
  distinct.forEach((p, i) => out.set(p, Math.max(1, 1000 - i * stepMillis) / 1000));
  return out;
}

/**
 * application/presence → PIDF input for `buildPidf` (docs/hub-protocol.md 5.4 table).
 * `entity` is the fallback when the document has no `presentity` (e.g. the PITP
 * Presentity header).
 */
export function presenceToPidf(
  doc: PresenceDocument,
  options: { entity?: string } = {},
): MappingResult<PidfBuildInput> {
  const warnings: string[] = [];
  const dropped: string[] = [];
  const source = doc.presentity ?? options.entity;
  if (source === undefined) throw new CodecError('no presentity: PIDF needs an entity', 'RFC 3863 4.1.1');
  const entity = presentityToEntity(source);
  let timestamp: string | null = null;
  if (doc.date !== null) {
    const r = convert822(doc.date);
    if ('value' in r) timestamp = r.value;
    else warnings.push(`date not mapped: ${r.reason}`);
  }
  const ranks = rankPriorities(doc.contacts.flatMap((c) => (c.preference === null ? [] : [c.preference])));
  const tuples: PidfTupleInput[] = [];
  doc.contacts.forEach((c, i) => {
    let uri = contactUri(c.url);
    if (!SCHEME.test(uri) && uri.includes('@')) {
      warnings.push(`contact "${c.url}" has no scheme; mapped as im:`);
      uri = `im:${uri}`;
    }
    if (!isAbsoluteUri(uri)) {
      warnings.push(`contact "${c.url}" is not a URL; dropped`);
      dropped.push(`contact ${c.url}`);
      return;
    }
    if (c.capabilities !== null) dropped.push(`capabilities of ${c.url}`);
    for (const e of c.extensions)
      dropped.push(`${e.namespace === null ? '' : `{${e.namespace}}`}${e.name} of ${c.url}`);
    // Absent status: usable, timeliness unknown — PIDF's nearest is open (status needs a child).
    const basic = c.status === 'closed' ? 'closed' : 'open';
    tuples.push({
      id: `c${i + 1}`,
      basic,
      contact: { uri, priority: c.preference === null ? null : ranks.get(c.preference)! },
      notes: c.status === 'deferred' ? [{ lang: null, text: 'deferred' }] : [],
      timestamp,
    });
  });
  for (const e of doc.extensions) dropped.push(`${e.namespace === null ? '' : `{${e.namespace}}`}${e.name}`);
  if (tuples.length === 0) {
    // RFC 3922 6.3: never emit zero-tuple PIDF. No contact address means nothing reachable.
    warnings.push('no usable contact: mapped to one closed tuple without contact');
    tuples.push({ id: 'c0', basic: 'closed', contact: null, notes: [], timestamp });
  }
  return { result: { entity, tuples, notes: [], extensions: [] }, warnings, dropped };
}

/** PIDF → application/presence (docs/hub-protocol.md 5.4, right to left). */
export function pidfToPresence(doc: PidfDocument): MappingResult<PresenceDocumentInput> {
  const warnings: string[] = [];
  const dropped: string[] = [];
  // One contact per URI: duplicates keep the highest priority (absent = lowest).
  const byUri = new Map<string, { priority: number | null; status: PresenceStatus | null }>();
  let newest: { ms: number; ts: string } | null = null;
  for (const t of doc.tuples) {
    if (t.timestamp !== null) {
      const ms = Date.parse(t.timestamp.replace(/:60(?=[.Zz+-])/, ':59'));
      if (!Number.isNaN(ms) && (newest === null || ms > newest.ms)) newest = { ms, ts: t.timestamp };
    }
    for (const n of t.notes) if (n.text !== 'deferred') dropped.push(`note of tuple ${t.id}`);
    for (const e of [...t.statusExtensions, ...t.extensions])
      dropped.push(`{${e.ns ?? ''}}${e.name} of tuple ${t.id}`);
    if (t.contact === null) {
      warnings.push(`tuple ${t.id} has no contact; dropped`);
      dropped.push(`tuple ${t.id}`);
      continue;
    }
    const deferred = t.basic === 'open' && t.notes.some((n) => n.text === 'deferred');
    const status: PresenceStatus | null = t.basic === null ? null : deferred ? 'deferred' : t.basic;
    const prev = byUri.get(t.contact.uri);
    if (prev !== undefined) {
      dropped.push(`duplicate tuple ${t.id} for ${t.contact.uri}`);
      if ((t.contact.priority ?? -1) <= (prev.priority ?? -1)) continue;
    }
    byUri.set(t.contact.uri, { priority: t.contact.priority, status });
  }
  for (const n of doc.notes) dropped.push(`presence note "${n.text}"`);
  for (const e of doc.extensions) dropped.push(`{${e.ns ?? ''}}${e.name}`);
  // Higher priority = better ↔ lower preference = better: rank the distinct priorities.
  const distinct = [
    ...new Set([...byUri.values()].flatMap((v) => (v.priority === null ? [] : [v.priority]))),
  ].sort((a, b) => b - a);
  const contacts: PresenceContactInput[] = [...byUri].map(([url, v]) => ({
    url,
    status: v.status,
    preference: v.priority === null ? null : distinct.indexOf(v.priority) + 1,
  }));
  const date = newest === null ? null : rfc3339ToRfc822(newest.ts);
  return { result: { presentity: entityToPresentity(doc.entity), date, contacts }, warnings, dropped };
}

export interface PresenceInspectReport {
  readonly result: 'accept' | 'accept-with-warning' | 'reject';
  readonly reason?: string;
  readonly rule?: string;
  readonly position?: { readonly line: number; readonly column: number; readonly offset: number };
  readonly warnings: readonly string[];
  readonly presentity?: string | null;
  readonly date?: string | null;
  readonly contacts?: PresenceDocument['contacts'];
  readonly extensions?: PresenceDocument['extensions'];
  /** The PIDF document the mapping produces, in the vectors' field names. */
  readonly pidf?: Omit<PidfInspectReport, 'result' | 'mode' | 'warnings' | 'notices'> & {
    readonly xml: string;
  };
  readonly dropped?: readonly string[];
}

/** Parses an application/presence body and shows its PIDF mapping; never throws for bad input. */
export function inspectPresenceText(
  bytes: Uint8Array,
  options: PresenceTextOptions & { entity?: string } = {},
): PresenceInspectReport {
  try {
    const parsed = parsePresenceText(bytes, options);
    const d = parsed.document;
    const warnings = parsed.warnings.map(
      (w) =>
        `${w.message} [${w.rule}]${w.position ? ` at line ${w.position.line}, column ${w.position.column}` : ''}`,
    );
    let pidf: PresenceInspectReport['pidf'];
    let dropped: readonly string[] = [];
    try {
      const mapped = presenceToPidf(d, options);
      warnings.push(...mapped.warnings.map((w) => `mapping: ${w}`));
      dropped = mapped.dropped;
      const xml = buildPidf(mapped.result);
      const t = mapped.result;
      pidf = {
        xml,
        ...describePidf({
          entity: t.entity,
          notes: [],
          extensions: [],
          tuples: t.tuples.map((x) => ({
            id: x.id,
            basic: x.basic,
            contact: typeof x.contact === 'object' ? x.contact : null,
            notes: x.notes ?? [],
            timestamp: x.timestamp ?? null,
            statusExtensions: [],
            extensions: [],
          })),
        }),
      };
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      warnings.push(`mapping: ${e.message}`);
    }
    return {
      result: warnings.length === 0 ? 'accept' : 'accept-with-warning',
      ...(warnings.length === 0 ? {} : { reason: warnings[0] }),
      warnings,
      presentity: d.presentity,
      date: d.date,
      contacts: d.contacts,
      extensions: d.extensions,
      ...(pidf === undefined ? {} : { pidf }),
      dropped,
    };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const p = e.position;
    return {
      result: 'reject',
      reason: e.reason,
      rule: e.rule,
      ...(p ? { position: { line: p.line, column: p.column, offset: p.offset } } : {}),
      warnings: [],
    };
  }
}
