/**
 * Pure translation between the web chat protocol and the CPIM model (docs/architecture.md parts 2 and 6):
 * web names ↔ im:/pres: URIs, text ↔ `message/cpim` (RFC 3862), page state ↔ PIDF (RFC 3863,
 * with the RPID `away` activity and `user-input` of RFC 4480), hub answers ↔ `result` frames.
 * No I/O.
 */
import {
  buildCpim,
  claimedAuthorNote,
  relationHeaders,
  buildPidf,
  getHeader,
  getHeaders,
  MIME_READ_DEFAULTS,
  makeAddress,
  parseCpim,
  parsePidf,
  normalizeLineEnds,
  renderContent,
  tryParseAddress,
  toIm,
  toPres,
  type Answer,
  type CpimMessage,
  type CpimPayload,
  type Headers,
  type ImAddress,
  type MimeAttachment,
  type RenderedContent,
  type MimeReadLimits,
  type PresAddress,
  type Relations,
  type XmlElement,
} from '../../src/index.js';
import type { WireAttachment } from './attachments.js';
import { NAME_PATTERN } from './config.js';
import { formatOf, type FormatRun, type Shown } from './format-runs.js';
import type { PageState, PresenceState, ResultFrame } from './protocol.js';
import type { WireRelations } from './protocol-relations.js';
import { relationsOf, wireRelations, withoutFallback } from './relations.js';

/** RFC 3862 3.1: the IMTP payload starts at the CPIM headers; the type goes in Content-Type. */
export const CPIM_TYPE = 'message/cpim';
const TEXT_TYPE = 'text/plain; charset=UTF-8';
/** The gateway room's member inbox for a web room: a dot, which web names never contain. */
const ROOM_PREFIX = 'room.';

export function userInbox(user: string, domain: string): ImAddress {
  return makeAddress('im', user, domain);
}

export function roomInbox(room: string, domain: string): ImAddress {
  return makeAddress('im', ROOM_PREFIX + room, domain);
}

/** What an inbox in our domain names: a web user, a web room's bridge inbox, or nothing. */
export function readLocalInbox(local: string): { kind: 'user' | 'room'; name: string } | null {
  if (local.startsWith(ROOM_PREFIX)) {
    const name = local.slice(ROOM_PREFIX.length);
    return NAME_PATTERN.test(name) ? { kind: 'room', name } : null;
  }
  return NAME_PATTERN.test(local) ? { kind: 'user', name: local } : null;
}

/**
 * A `to`/`who` the page wrote: a web user name (`bob`), an address (`bob@irc.example.org`, im:
 * assumed) or a URI (`im:…`, `pres:…`). Returns the inbox, or why it is not one.
 */
export function readTarget(text: string, domain: string): ImAddress | string {
  const t = text.trim();
  if (NAME_PATTERN.test(t)) return userInbox(t, domain);
  const a = tryParseAddress(t, { defaultScheme: 'im' });
  if (a instanceof Error) return a.message;
  if (a.domain === '') return 'names no inbox (RFC 3860 3.4.1)';
  return toIm(a);
}

export function presentityOf(inbox: ImAddress): PresAddress {
  return toPres(inbox);
}

/**
 * A new message from a web user (RFC 3862: From, To, DateTime, then the text entity), with the
 * `Msg` headers of its relations when it has any (issue 17, src/codec/cpim/relations.ts).
 */
export function buildMessage(
  from: ImAddress,
  to: ImAddress,
  text: string,
  now: Date,
  relations?: Relations,
  entity?: { readonly type: string; readonly body: string },
): Uint8Array {
  // `entity`: a message with files (attachments.ts), whose caption is already inside it.
  const h = relations === undefined ? null : relationHeaders(relations, text === '' && entity === undefined);
  return Buffer.from(
    buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: from.uri },
      to: [{ uri: to.uri }],
      dateTime: now,
      ...(h === null || h.extraHeaders.length === 0
        ? {}
        : {
            ns: h.ns,
            extraHeaders: h.extraHeaders,
            ...(h.require.length > 0 ? { require: h.require } : {}),
          }),
      contentHeaders: [['Content-Type', entity?.type ?? TEXT_TYPE]],
      body: entity?.body ?? text,
    }),
  );
}

export interface ReadMessage {
  readonly from: string;
  readonly time: string;
  readonly text: string;
  /** The CPIM Subject of the first message of a thread (a mail's Subject), shown above its text. */
  readonly subject?: string;
  /** The text with its formatting (an IRC line's codes, HTML), when it had some: runs whose texts join to `text`. */
  readonly format?: readonly FormatRun[];
  /** Issue 17: what it replies to, edits, deletes or reacts to (its `Msg` headers). */
  readonly relations?: WireRelations;
  /** Issue 17: its files, as read (bytes or link); attachments.ts makes them the page's. */
  readonly parts?: readonly MimeAttachment[];
  /** Issue 17: its files as the page sees them (attachments.ts linkParts). */
  readonly attachments?: readonly WireAttachment[];
}

function shown(r: RenderedContent): Shown {
  if (r.attachments.length > 0) {
    // Issue 17: the files go to the page as `attachments` (attachments.ts); the text is the caption.
    const format = formatOf({ ...r, text: r.body });
    return { text: r.body, ...(format === undefined ? {} : { format }), parts: r.attachments };
  }
  const format = formatOf(r);
  return format === undefined ? { text: r.text } : { text: r.text, format };
}

function decodeText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

function mainType(contentType: string | undefined): string {
  return (contentType ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
}

/** UTF-8 (or US-ASCII) text/plain without a transfer encoding: shown as it is (the fast path). */
function isPlainText(contentType: string | undefined, encoding: string | undefined): boolean {
  if (mainType(contentType) !== 'text/plain') return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  const cte = (encoding ?? '7bit').trim().toLowerCase();
  return (
    (charset === 'utf-8' || charset === 'us-ascii') && (cte === '7bit' || cte === '8bit' || cte === 'binary')
  );
}

/**
 * The text of an entity through the core's one rendering path (src/mime/render.ts): plain UTF-8
 * text at once; anything else (a formatted IRC line, a mail with an attachment, other charsets,
 * transfer encodings, HTML) once read, its attachments named. Line ends are LF. Rejects with
 * MimeReadError.
 */
function entityText(
  contentType: string | undefined,
  encoding: string | undefined,
  body: Uint8Array,
  limits: MimeReadLimits,
): Shown | Promise<Shown> {
  const r = renderContent(contentType ?? 'text/plain', encoding, body, { limits, lenient: true });
  return r instanceof Promise ? r.then(shown) : shown(r);
}

/**
 * The Subject shown with a message: the CPIM Subject (RFC 3862 4.4) of a message that answers no
 * other, i.e. the first of a mail thread (a reply carries In-Reply-To or References, RFC 5322
 * 3.6.4, as extension headers of the mail namespace).
 */
function threadSubject(m: CpimMessage): string | undefined {
  const subject = m.semantics.subjects[0]?.text.trim();
  if (subject === undefined || subject === '') return undefined;
  const reply = m.semantics.extensionHeaders.some((h) => h.name === 'In-Reply-To' || h.name === 'References');
  return reply ? undefined : subject;
}

/**
 * The author, time and text of a delivered `send`: the author is Orig-Sender (a room's copy,
 * draft §16.2), else the CPIM From, else Sender; the time is the CPIM DateTime, else now.
 * Plain text is read at once; other content once the core's MIME reader has its text.
 */
export function readMessage(
  headers: Headers,
  payload: Uint8Array,
  now: Date,
  limits: MimeReadLimits = MIME_READ_DEFAULTS,
): ReadMessage | Promise<ReadMessage> {
  // Identity (docs/architecture.md part 8): the author is the router's verified Orig-Sender or
  // Sender, never the inner CPIM From; a From naming someone else is shown after the real author.
  const from = (getHeader(headers, 'Orig-Sender') ?? getHeader(headers, 'Sender') ?? '').trim();
  const contentType = getHeader(headers, 'Content-Type');
  const type = mainType(contentType);
  let note: string | null = null;
  let time: string | null = null;
  let subject: string | undefined;
  let text: Shown | Promise<Shown>;
  let rel: Relations = {};
  let quote: string | undefined;
  const facts = type === CPIM_TYPE ? (payload as CpimPayload).cpimFacts : undefined;
  if (facts !== undefined) {
    // Built in this process, which attached what parsing would read (src/codec/cpim/facts.ts).
    note = claimedAuthorNote(from, facts.from);
    time = facts.dateTime;
    rel = relationsOf(facts.relations);
    if (isPlainText(facts.contentType, undefined)) {
      const t = withoutFallback(facts.text, rel);
      quote = t.quote;
      text = { text: normalizeLineEnds(t.text) };
    } else text = entityText(facts.contentType, undefined, Buffer.from(facts.text, 'utf8'), limits);
  } else if (type === CPIM_TYPE) {
    const startsWith = /^content-type:/i.test(decodeText(payload.subarray(0, 13)))
      ? 'mime-headers'
      : 'cpim-headers';
    const r = parseCpim(payload, { startsWith, mode: 'lenient', role: 'endpoint' });
    if (r.result === 'reject')
      return { from, time: now.toISOString(), text: `[unreadable message/cpim: ${r.reason}]` };
    const m = r.message;
    const claimed = m.semantics.from;
    if (claimed) note = claimedAuthorNote(from, claimed.uri, claimed.formalName);
    time = m.semantics.datetime;
    subject = threadSubject(m);
    const inner = (name: string) => m.contentHeaders.find((h) => h.name.toLowerCase() === name)?.value;
    rel = relationsOf(m);
    const innerType = inner('content-type');
    const cte = inner('content-transfer-encoding');
    if (rel.fallback !== undefined && isPlainText(innerType, cte)) {
      const t = withoutFallback(decodeText(m.body), rel);
      quote = t.quote;
      text = { text: normalizeLineEnds(t.text) };
    } else text = entityText(innerType, cte, m.body, limits);
  } else text = entityText(contentType, undefined, payload, limits);
  const at = time ?? now.toISOString();
  // The page shows the author's name before the text: `alice` then `(as "Bob") …` reads as
  // `alice (as "Bob")`, while `from` stays the address replies and the room's self-skip use.
  const prefix = note === null ? '' : `${note} `;
  const wire = wireRelations(rel);
  const relations: WireRelations | undefined =
    Object.keys(wire).length === 0 ? undefined : quote === undefined ? wire : { ...wire, quote };
  const make = (s: Shown): ReadMessage => ({
    from,
    time: at,
    text: prefix + s.text,
    ...(relations === undefined ? {} : { relations }),
    ...(subject === undefined ? {} : { subject }),
    ...(s.format === undefined ? {} : { format: prefix === '' ? s.format : [{ text: prefix }, ...s.format] }),
    ...(s.parts === undefined ? {} : { parts: s.parts }),
  });
  return text instanceof Promise ? text.then(make) : make(text);
}

/** The network of a URI, for display: its domain. */
export function networkOf(uri: string): string {
  const at = uri.lastIndexOf('@');
  return at < 0 ? '' : uri.slice(at + 1);
}

// --- Presence ------------------------------------------------------------------------------

const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';
const DM_NS = 'urn:ietf:params:xml:ns:pidf:data-model';

export interface WebPresence {
  /** Any tab open. */
  readonly connected: boolean;
  readonly state: PageState;
  readonly note: string;
}

function el(ns: string, name: string, children: XmlElement['children'] = [], id?: string): XmlElement {
  return { ns, name, attributes: id === undefined ? [] : [{ ns: null, name: 'id', value: id }], children };
}

/**
 * PIDF for a web user (RFC 3863): one tuple, `open` while a tab is open, the page's note, and an
 * RFC 4479 `<dm:person>` carrying RPID (RFC 4480) `away` or `user-input` idle, which a plain PIDF
 * reader ignores. `timestamp` must differ between successive documents (RFC 3863 4.1.7).
 */
export function buildPresence(presentity: PresAddress, p: WebPresence, timestamp: Date): string {
  const person: XmlElement[] = [];
  if (p.connected && p.state === 'away') person.push(el(RPID_NS, 'activities', [el(RPID_NS, 'away')]));
  if (p.connected && p.state !== 'away')
    person.push(el(RPID_NS, 'user-input', [p.state === 'idle' ? 'idle' : 'active']));
  return buildPidf({
    entity: presentity.uri,
    tuples: [
      {
        id: 'web',
        basic: p.connected ? 'open' : 'closed',
        contact: toIm(presentity).uri,
        notes: p.note === '' ? [] : [{ lang: null, text: p.note }],
        timestamp: timestamp.toISOString(),
      },
    ],
    extensions: person.length === 0 ? [] : [el(DM_NS, 'person', person, 'p')],
  });
}

function findElement(els: readonly XmlElement[], ns: string, name: string): XmlElement | null {
  for (const e of els) {
    if (e.ns === ns && e.name === name) return e;
    const inner = findElement(
      e.children.filter((c): c is XmlElement => typeof c !== 'string'),
      ns,
      name,
    );
    if (inner) return inner;
  }
  return null;
}

/** What the page shows for a PI from anywhere: open/closed, RPID away/idle, the first note. */
export function readPresence(
  payload: Uint8Array,
  contentType: string | undefined,
): { state: PresenceState; note?: string } {
  if (mainType(contentType ?? 'application/pidf+xml') !== 'application/pidf+xml') return { state: 'unknown' };
  try {
    const doc = parsePidf(payload, { lenient: true }).document;
    const open = doc.tuples.some((t) => t.basic === 'open');
    const note = doc.tuples.flatMap((t) => t.notes).concat(doc.notes)[0]?.text;
    const all = [...doc.extensions, ...doc.tuples.flatMap((t) => [...t.extensions, ...t.statusExtensions])];
    let state: PresenceState = open ? 'online' : 'offline';
    if (open && findElement(all, RPID_NS, 'away')) state = 'away';
    else if (open) {
      const input = findElement(all, RPID_NS, 'user-input');
      if (input && input.children.join('').trim() === 'idle') state = 'idle';
    }
    return note === undefined ? { state } : { state, note };
  } catch {
    return { state: 'unknown' };
  }
}

// --- Answers -------------------------------------------------------------------------------

/** A hub answer as the page sees it (draft §16.2: ok, ok + Unreliable, error + Error-Type). */
export function resultOf(id: string, answer: Answer): ResultFrame {
  const failed = getHeaders(answer.headers, 'Room-Failed').map((v) => {
    const [member = '', errorType = ''] = v.trim().split(/\s+/);
    return { member, errorType };
  });
  const extra = failed.length > 0 ? { failed } : {};
  if (answer.status === 'ok') {
    // Issue 15: `Stored` says the message was kept, not delivered (docs/hub-protocol.md part 4).
    const stored = getHeader(answer.headers, 'Stored')?.trim().toLowerCase();
    const kept: Pick<ResultFrame, 'stored'> = stored === 'offline' || stored === 'history' ? { stored } : {};
    return getHeader(answer.headers, 'Unreliable') !== undefined
      ? { type: 'result', id, status: 'ok', unreliable: true, ...extra, ...kept }
      : { type: 'result', id, status: 'ok', ...extra, ...kept };
  }
  const description = getHeader(answer.headers, 'Error-Description');
  return {
    type: 'result',
    id,
    status: 'error',
    errorType: getHeader(answer.headers, 'Error-Type') ?? 'communications',
    ...(description ? { description } : {}),
    ...extra,
  };
}

/**
 * One answer for a room message from the gateway room's answer and the local web users' answer
 * (draft §16.2 merge: any ok is ok; ok is reliable only when every ok was). The gateway room's
 * `no-listeners` (no member besides us) does not count against a message web users received.
 */
export function mergeRoomResults(hub: ResultFrame, local: ResultFrame | null, room: string): ResultFrame {
  if (local === null) return hub;
  const hubIrrelevant = hub.status === 'error' && hub.errorType === 'no-listeners';
  const failed = [...(hub.failed ?? [])];
  if (hub.status === 'error' && !hubIrrelevant) failed.push({ member: room, errorType: hub.errorType! });
  const oks = [hub, local].filter((r) => r.status === 'ok');
  if (oks.length === 0) {
    const r = hubIrrelevant ? local : hub;
    return failed.length > 0 && r === local ? { ...r, failed } : r;
  }
  return {
    type: 'result',
    id: hub.id,
    status: 'ok',
    ...(oks.every((r) => r.unreliable) ? { unreliable: true } : {}),
    ...(failed.length > 0 ? { failed } : {}),
  };
}
