/**
 * DOM building for the page. Text goes in with textContent only, never as HTML, so nothing a
 * remote user writes can run in the page.
 */
import type { WireAttachmentFrame } from '../protocol-attachments.js';
import type { FormatRun } from '../protocol-history.js';
// Issue 17: a message's files (upload.ts takes `h` from here: functions only, the cycle is harmless).
import { attachmentsView } from './upload.js';

export type Status =
  | 'sending'
  | 'delivered'
  | 'sent'
  | 'stored'
  | 'expired'
  | 'failed'
  | 'unknown'
  | 'received'
  | 'history'
  | 'report';

export interface ChatMessage {
  readonly from: string;
  readonly network: string;
  readonly time: string;
  /** Replaced by an edit, emptied by a deletion (issue 17, relations.ts). */
  text: string;
  /** A mail's Subject, shown above the first message of its thread. */
  readonly subject?: string;
  /** The text with its formatting (runs whose texts join to `text`), when it had some. */
  format?: readonly FormatRun[];
  /** Issue 17: the id of the message it replies to, and the sender's quote of it. */
  replyTo?: string;
  quote?: string;
  /** Changed by its author since it was first shown. */
  edited?: boolean;
  /** Deleted by its author: shown as a tombstone. */
  deleted?: boolean;
  /** Reaction key → who reacted (im: URIs). */
  reactions?: Record<string, string[]>;
  /** Issue 17: its files (upload.ts shows them). */
  readonly attachments?: readonly WireAttachmentFrame[];
  readonly own: boolean;
  status: Status;
  reason?: string;
  /** The gateway's message id (protocol v2), once known. */
  id?: string;
  /** Its place in the conversation's history. */
  cursor?: string;
}

const HEX_COLOUR = /^#[0-9a-f]{6}$/;

/**
 * The text of a message, styled when it came with formatting: each run a span whose style is set
 * property by property (never markup), colours only as `#rrggbb`; the plain text otherwise.
 */
function messageText(m: ChatMessage): (Node | string)[] {
  const f = m.format;
  if (f === undefined || f.map((r) => r.text).join('') !== m.text) return [m.text];
  return f.map((r) => {
    const plain = !r.bold && !r.italic && !r.underline && !r.strike && !r.mono && !r.fg && !r.bg;
    if (plain) return r.text;
    const e = h(r.mono ? 'code' : 'span', { class: 'run' }, r.text);
    if (r.bold) e.style.fontWeight = 'bold';
    if (r.italic) e.style.fontStyle = 'italic';
    const lines = [r.underline ? 'underline' : '', r.strike ? 'line-through' : ''].filter(Boolean);
    if (lines.length > 0) e.style.textDecoration = lines.join(' ');
    if (r.fg !== undefined && HEX_COLOUR.test(r.fg)) e.style.color = r.fg;
    if (r.bg !== undefined && HEX_COLOUR.test(r.bg)) e.style.backgroundColor = r.bg;
    return e;
  });
}

export interface Presence {
  readonly state: string;
  readonly note?: string;
}

export function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`#${id} is missing from the page`);
  return e;
}

export function h(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

/** `alice` for a user of `domain`, the whole URI otherwise. */
export function shortName(uri: string, domain: string): string {
  const m = /^(?:im|pres):([^@]+)@(.+)$/.exec(uri);
  if (m === null) return uri;
  return m[2] === domain ? decodeURIComponent(m[1]!) : `${decodeURIComponent(m[1]!)}@${m[2]}`;
}

export function dot(p: Presence | undefined): HTMLElement {
  const state = p?.state ?? 'unknown';
  return h('span', { class: 'dot', 'data-state': state, title: p?.note ? `${state}: ${p.note}` : state });
}

function statusText(m: ChatMessage): string {
  switch (m.status) {
    case 'sending':
      return 'sending…';
    case 'delivered':
      return m.reason ? `delivered (${m.reason})` : 'delivered';
    case 'sent':
      return m.reason ? `sent, no receipt (${m.reason})` : 'sent, no receipt';
    case 'stored':
      return m.reason ?? 'stored';
    case 'expired':
      return `not delivered: ${m.reason ?? 'expired unread'}`;
    case 'history':
    case 'report':
      return '';
    case 'failed':
      return `failed: ${m.reason ?? 'unknown error'}`;
    case 'unknown':
      return `unknown: ${m.reason ?? ''}`;
    case 'received':
      return '';
  }
}

export function messageItem(m: ChatMessage, domain: string): HTMLElement {
  const time = new Date(m.time);
  const shown = Number.isNaN(time.getTime())
    ? m.time
    : time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const item = h(
    'li',
    {
      class: m.status === 'report' ? 'message report' : m.own ? 'message own' : 'message',
      'data-status': m.status,
      ...(m.id === undefined ? {} : { 'data-id': m.id }),
    },
    h(
      'div',
      { class: 'meta' },
      h('span', { class: 'from' }, shortName(m.from, domain)),
      h('span', { class: 'network' }, m.network),
      h('time', { datetime: m.time }, shown),
    ),
    m.subject === undefined ? null : h('div', { class: 'subject' }, m.subject),
    h('div', { class: 'text' }, ...messageText(m)),
    m.deleted ? null : attachmentsView(m.attachments),
  );
  const status = statusText(m);
  if (m.own && status !== '') item.append(h('div', { class: 'status' }, status));
  return item;
}

export interface ListEntry {
  readonly key: string;
  readonly label: string;
  readonly presence?: Presence;
  readonly note?: string;
  readonly tag?: string;
  readonly unread: number;
  readonly current: boolean;
}

export function listItem(e: ListEntry, onClick: () => void): HTMLElement {
  const name = h('span', { class: 'name' }, e.label);
  if (e.note) name.append(h('span', { class: 'note' }, e.note));
  const li = h(
    'li',
    { 'data-key': e.key, class: e.current ? 'current' : '' },
    e.presence !== undefined ? dot(e.presence) : h('span', { class: 'tag' }, '#'),
    name,
    e.tag ? h('span', { class: 'tag' }, e.tag) : null,
    e.unread > 0 ? h('span', { class: 'badge' }, String(e.unread)) : null,
  );
  li.addEventListener('click', onClick);
  return li;
}
