/**
 * Replies, edits, deletions and reactions on the page (issue 17, docs/adapters/web-chat.md
 * "Replies, edits, deletions and reactions"). An incoming edit, deletion or reaction is not a
 * message of its own: it changes the message it names (the text replaced with an "edited" mark,
 * a tombstone, a reaction chip), and only when it comes from that message's author (edits and
 * deletions; the gateway checks this too). An edit of a message the page never had is shown as a
 * new message, marked edited; a deletion or reaction of one is dropped (message-semantics 2.4).
 */
import type { HistoryItem, MessageFrame } from '../protocol.js';
import { request } from './requests.js';
import { chat, conversations, type Conversation } from './state.js';
import { $, h, shortName, type ChatMessage } from './view.js';

/** The reactions the page offers (any key from elsewhere is shown too). */
export const REACTION_KEYS = ['👍', '❤️', '😂', '🎉'] as const;

/** What the composer is doing besides a new message: replying to or editing one. */
export const composing: { replyTo: ChatMessage | null; editing: ChatMessage | null } = {
  replyTo: null,
  editing: null,
};

type Incoming = Pick<MessageFrame, 'replyTo' | 'replaces' | 'retracts' | 'reaction' | 'quote'> &
  Pick<HistoryItem, 'from'>;

function find(c: Conversation, id: string, extra: readonly ChatMessage[] = []): ChatMessage | undefined {
  return extra.find((m) => m.id === id) ?? c.messages.find((m) => m.id === id);
}

/**
 * Applies an edit, deletion or reaction `f` to the message it names in `c` (or in `extra`, a
 * history page being added). True when `f` is done with (applied or dropped); false when it is
 * to be shown as a message (not one of these, or an edit of a message the page never had).
 */
export function absorb(
  c: Conversation,
  f: Incoming,
  text: string,
  extra: readonly ChatMessage[] = [],
): boolean {
  if (f.reaction !== undefined) {
    const t = find(c, f.reaction.target, extra);
    if (t === undefined) return true;
    const who = (t.reactions ??= {})[f.reaction.key] ?? [];
    const rest = who.filter((x) => x !== f.from);
    t.reactions[f.reaction.key] = f.reaction.op === 'add' ? [...rest, f.from] : rest;
    if (t.reactions[f.reaction.key]!.length === 0) delete t.reactions[f.reaction.key];
    return true;
  }
  const target = f.replaces ?? f.retracts;
  if (target === undefined) return false;
  const t = find(c, target, extra);
  if (t === undefined) return f.retracts !== undefined;
  if (t.from !== f.from) return true;
  if (f.retracts !== undefined) {
    t.deleted = true;
    t.text = '';
    delete t.format;
    delete t.reactions;
  } else {
    t.text = text;
    t.edited = true;
    delete t.format;
  }
  return true;
}

/** The relation fields of an incoming frame or history item a shown message keeps. */
export function shownRelations(f: Incoming): Pick<ChatMessage, 'replyTo' | 'quote' | 'edited'> {
  return {
    ...(f.replyTo === undefined ? {} : { replyTo: f.replyTo }),
    ...(f.quote === undefined ? {} : { quote: f.quote }),
    ...(f.replaces === undefined ? {} : { edited: true }),
  };
}

function current(): Conversation | undefined {
  return chat.current === null ? undefined : conversations.get(chat.current);
}

function target(c: Conversation): Record<string, string> {
  return c.kind === 'room' ? { room: c.target } : { to: c.target };
}

/** Sends a relation; `apply` runs once the gateway answered ok (pending.apply in app.ts). */
function send(m: ChatMessage, fields: Record<string, unknown>, apply: () => void): void {
  const c = current();
  if (c === undefined) return;
  if (!request({ type: 'send', ...target(c), ...fields }, 'send', { about: m, apply })) {
    m.reason = 'not connected';
  }
}

export function toggleReaction(m: ChatMessage, key: string): void {
  const me = chat.me?.uri;
  if (me === undefined || m.id === undefined) return;
  const op = m.reactions?.[key]?.includes(me) ? 'remove' : 'add';
  send(m, { reaction: { op, target: m.id, key } }, () => {
    const c = current();
    if (c) absorb(c, { from: me, reaction: { op, target: m.id!, key } }, '');
  });
}

export function deleteMessage(m: ChatMessage): void {
  if (m.id === undefined) return;
  send(m, { retracts: m.id }, () => {
    const c = current();
    if (c) absorb(c, { from: m.from, retracts: m.id! }, '');
  });
}

/** The composer's text sent as an edit of `m`. */
export function sendEdit(m: ChatMessage, text: string): void {
  if (m.id === undefined) return;
  send(m, { replaces: m.id, text }, () => {
    const c = current();
    if (c) absorb(c, { from: m.from, replaces: m.id! }, text);
  });
}

/** The line above a reply: whom and what it answers (the message shown, else the sender's quote). */
function replyLine(m: ChatMessage, domain: string): HTMLElement | null {
  if (m.replyTo === undefined) return null;
  const c = current();
  const parent = c === undefined ? undefined : find(c, m.replyTo);
  const quoted =
    parent !== undefined
      ? `${shortName(parent.from, domain)}: ${parent.deleted ? '(message deleted)' : parent.text.slice(0, 80)}`
      : (m.quote ?? 'an earlier message');
  return h('div', { class: 'reply-to', 'data-reply-to': m.replyTo }, `↪ ${quoted}`);
}

function button(label: string, cls: string, onClick: () => void, title = label): HTMLElement {
  const b = h('button', { type: 'button', class: `small ${cls}`, title }, label);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/**
 * Adds to a message item: the reply line, the edited mark, the tombstone, the reaction chips
 * (counts; one's own marked) and the actions (reply, react, and edit/delete on one's own).
 */
export function decorate(item: HTMLElement, m: ChatMessage, domain: string, redraw: () => void): void {
  const text = item.querySelector('.text');
  const reply = replyLine(m, domain);
  if (reply !== null) text?.before(reply);
  if (m.deleted) {
    item.classList.add('deleted');
    text?.replaceChildren('(message deleted)');
    return;
  }
  if (m.edited) item.querySelector('.meta')?.append(h('span', { class: 'edited' }, 'edited'));
  const me = chat.me?.uri;
  const chips = Object.entries(m.reactions ?? {}).map(([key, who]) =>
    button(
      `${key} ${who.length}`,
      `chip${me !== undefined && who.includes(me) ? ' mine' : ''}`,
      () => toggleReaction(m, key),
      who.map((w) => shortName(w, domain)).join(', '),
    ),
  );
  if (chips.length > 0) item.append(h('div', { class: 'reactions' }, ...chips));
  if (m.id === undefined || m.status === 'report') return;
  const actions = h(
    'div',
    { class: 'actions' },
    button('Reply', 'act-reply', () => {
      composing.replyTo = m;
      composing.editing = null;
      redraw();
    }),
    ...REACTION_KEYS.map((k) => button(k, 'act-react', () => toggleReaction(m, k), `react ${k}`)),
  );
  if (m.own && m.from === me) {
    actions.append(
      button('Edit', 'act-edit', () => {
        composing.editing = m;
        composing.replyTo = null;
        const box = $('text') as HTMLTextAreaElement;
        box.value = m.text;
        box.focus();
        redraw();
      }),
      button('Delete', 'act-delete', () => deleteMessage(m)),
    );
  }
  item.append(actions);
}

/** The bar above the composer while replying or editing, with a cancel button. */
export function composerBar(domain: string, redraw: () => void): HTMLElement | null {
  const r = composing.replyTo;
  const e = composing.editing;
  if (r === null && e === null) return null;
  const label =
    r !== null ? `Replying to ${shortName(r.from, domain)}: ${r.text.slice(0, 80)}` : 'Editing your message';
  return h(
    'div',
    { id: 'composing', class: 'composing' },
    h('span', {}, label),
    button('✕', 'cancel', () => {
      composing.replyTo = composing.editing = null;
      redraw();
    }),
  );
}
