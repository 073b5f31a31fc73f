/**
 * The web chat page (README.md): sign in with a token, rooms and direct conversations, messages
 * with sender, network and time, each own message's delivery answer, presence dots with notes,
 * automatic idle, and reconnecting after a drop (rooms, watches and presence are restored).
 */
import type { ResultFrame, ServerFrame, WelcomeFrame } from '../protocol.js';
import { Conn, type ConnState } from './conn.js';
import { $, dot, h, listItem, messageItem, shortName, type ChatMessage, type Presence } from './view.js';

interface Conversation {
  readonly key: string;
  readonly kind: 'room' | 'direct';
  /** Room name, or the peer's im: URI. */
  readonly target: string;
  readonly messages: ChatMessage[];
  unread: number;
}

const TOKEN_KEY = 'cpim.token';
const IDLE_AFTER_MS = 5 * 60_000;

let conn: Conn | null = null;
let me: WelcomeFrame | null = null;
let current: string | null = null;
let seq = 0;
let myState: 'online' | 'away' = 'online';
let idle = false;
let lastInput = Date.now();
const conversations = new Map<string, Conversation>();
const presence = new Map<string, Presence>();
const watched = new Set<string>();
const joined = new Set<string>();
const members = new Map<string, string[]>();
/** Requests awaiting a result: sends point at their message, watches at their presentity. */
interface Pending {
  readonly kind: string;
  readonly message?: ChatMessage;
  readonly room?: string;
  readonly presentity?: string;
}
const pending = new Map<string, Pending>();

function nextId(): string {
  return `r${++seq}`;
}

function domain(): string {
  return me?.domain ?? '';
}

/** A bare name is a web user here; the server reads the same forms (translate.ts readTarget). */
function toUri(who: string): string {
  const t = who.trim();
  if (/^[a-z0-9][a-z0-9_-]{0,31}$/.test(t)) return `im:${t}@${domain()}`;
  if (/^(im|pres):/.test(t)) return 'im:' + t.slice(t.indexOf(':') + 1);
  return `im:${t}`;
}

function presUri(uri: string): string {
  return 'pres:' + uri.slice(uri.indexOf(':') + 1);
}

function conversation(kind: 'room' | 'direct', target: string): Conversation {
  const key = `${kind}:${target}`;
  let c = conversations.get(key);
  if (c === undefined) {
    c = { key, kind, target, messages: [], unread: 0 };
    conversations.set(key, c);
  }
  return c;
}

function request(frame: Record<string, unknown>, kind: string, extra: Omit<Pending, 'kind'> = {}): boolean {
  const id = nextId();
  pending.set(id, { kind, ...extra });
  if (conn?.send({ ...frame, id })) return true;
  pending.delete(id);
  return false;
}

function watch(uri: string): void {
  const p = presUri(uri);
  if (me === null || p === me.presentity || watched.has(p)) return;
  watched.add(p);
  request({ type: 'watch', who: p }, 'watch', { presentity: p });
}

function sendPresence(): void {
  const note = ($('my-note') as HTMLInputElement).value;
  const state = idle && myState === 'online' ? 'idle' : myState;
  // Our own dot comes from what we set, not from a watch of ourselves.
  if (me !== null) presence.set(me.presentity, note === '' ? { state } : { state, note });
  request({ type: 'presence', state, note }, 'presence');
  render();
}

// --- Frames from the gateway ---------------------------------------------------------------

function onWelcome(w: WelcomeFrame): void {
  me = w;
  conn?.authenticated();
  $('signin').hidden = true;
  $('chat').hidden = false;
  $('me').textContent = w.user;
  $('me').title = w.uri;
  // After a reconnect: the same rooms, the same watches, the same presence.
  for (const r of joined) request({ type: 'join', room: r }, 'join', { room: r });
  const again = [...watched];
  watched.clear();
  for (const p of again) watch(p);
  sendPresence();
  render();
}

function onResult(r: ResultFrame): void {
  const p = pending.get(r.id);
  if (p === undefined) return;
  pending.delete(r.id);
  if (p.message) {
    const m = p.message;
    if (r.status === 'error') {
      m.status = 'failed';
      m.reason = `${r.errorType}${r.description ? ` (${r.description})` : ''}`;
    } else {
      m.status = r.unreliable ? 'sent' : 'delivered';
      if (r.failed?.length)
        m.reason = `not to ${r.failed.map((f) => `${shortName(f.member, domain())}: ${f.errorType}`).join(', ')}`;
    }
  } else if (p.kind === 'join' && p.room) {
    if (r.status === 'ok') joined.add(p.room);
    else joined.delete(p.room);
  } else if (p.kind === 'watch' && p.presentity && r.status === 'error') {
    // Not watched after all (say, an IRC nick the gateway has not seen yet: target-not-found):
    // the next message from them, roster or conversation opened asks again.
    watched.delete(p.presentity);
  }
  render();
}

function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'welcome':
      return onWelcome(f);
    case 'result':
      return onResult(f);
    case 'message': {
      const c =
        f.room !== undefined ? conversation('room', f.room) : conversation('direct', f.own ? f.to! : f.from);
      c.messages.push({
        from: f.from,
        network: f.network,
        time: f.time,
        text: f.text,
        own: f.own === true,
        status: f.own ? 'sent' : 'received',
      });
      if (c.key !== current) c.unread++;
      if (f.delivery !== '') conn?.send({ type: 'ack', delivery: f.delivery });
      if (!f.own) watch(f.from);
      return render();
    }
    case 'presence':
      presence.set(f.who, f.note === undefined ? { state: f.state } : { state: f.state, note: f.note });
      return render();
    case 'room':
      members.set(f.room, f.members);
      for (const m of f.members) watch(m);
      return render();
    case 'error':
      if (f.code === 'auth-failed' || f.code === 'token-expired') return signOut(f.message);
      if (f.id !== undefined)
        onResult({ type: 'result', id: f.id, status: 'error', errorType: f.code, description: f.message });
      else console.warn('gateway error', f);
  }
}

// --- Rendering -----------------------------------------------------------------------------

function open(key: string): void {
  current = key;
  const c = conversations.get(key);
  if (c) c.unread = 0;
  render();
  ($('text') as HTMLTextAreaElement).focus();
}

function render(): void {
  if (me === null) return;
  const d = domain();
  const rooms = $('rooms');
  rooms.replaceChildren(
    ...me.rooms.map((r) => {
      const c = conversations.get(`room:${r.name}`);
      return listItem(
        {
          key: `room:${r.name}`,
          label: r.title,
          tag: joined.has(r.name) ? '' : 'join',
          unread: c?.unread ?? 0,
          current: current === `room:${r.name}`,
        },
        () => {
          conversation('room', r.name);
          if (!joined.has(r.name)) request({ type: 'join', room: r.name }, 'join', { room: r.name });
          open(`room:${r.name}`);
        },
      );
    }),
  );
  const directs = [...conversations.values()].filter((c) => c.kind === 'direct');
  $('directs').replaceChildren(
    ...directs.map((c) => {
      const p = presence.get(presUri(c.target));
      return listItem(
        {
          key: c.key,
          label: shortName(c.target, d),
          presence: p ?? { state: 'unknown' },
          ...(p?.note ? { note: p.note } : {}),
          unread: c.unread,
          current: current === c.key,
        },
        () => open(c.key),
      );
    }),
  );
  renderConversation(d);
}

function renderConversation(d: string): void {
  const c = current === null ? undefined : conversations.get(current);
  const header = $('conv-header');
  const text = $('text') as HTMLTextAreaElement;
  const button = $('send') as HTMLButtonElement;
  const membersPane = $('members');
  if (c === undefined) {
    header.replaceChildren(h('span', { class: 'empty' }, 'Pick a room or a person.'));
    $('messages').replaceChildren();
    membersPane.hidden = true;
    text.disabled = button.disabled = true;
    return;
  }
  if (c.kind === 'room') {
    const room = me!.rooms.find((r) => r.name === c.target);
    const leave = h('button', { class: 'small', type: 'button' }, joined.has(c.target) ? 'Leave' : 'Join');
    leave.addEventListener('click', () => {
      if (joined.has(c.target)) {
        joined.delete(c.target);
        request({ type: 'leave', room: c.target }, 'leave');
      } else request({ type: 'join', room: c.target }, 'join', { room: c.target });
      render();
    });
    header.replaceChildren(
      h('span', { class: 'title' }, room?.title ?? c.target),
      h('span', { class: 'sub' }, room?.address ?? ''),
      h('span', { class: 'spacer' }),
      leave,
    );
    const list = (members.get(c.target) ?? []).map((m) => {
      const p = presence.get(presUri(m));
      return h(
        'li',
        { 'data-member': m },
        dot(p),
        ` ${shortName(m, d)}`,
        p?.note ? h('span', { class: 'note' }, ` — ${p.note}`) : null,
      );
    });
    membersPane.replaceChildren(h('h3', {}, 'Here now'), h('ul', { class: 'list' }, ...list));
    membersPane.hidden = false;
  } else {
    const p = presence.get(presUri(c.target));
    header.replaceChildren(
      dot(p),
      h('span', { class: 'title' }, shortName(c.target, d)),
      h(
        'span',
        { class: 'sub', id: 'peer-status' },
        `${p?.state ?? 'unknown'}${p?.note ? ` — ${p.note}` : ''}`,
      ),
    );
    membersPane.hidden = true;
  }
  const messages = $('messages');
  messages.replaceChildren(...c.messages.map((m) => messageItem(m, d)));
  messages.scrollTop = messages.scrollHeight;
  text.disabled = button.disabled = c.kind === 'room' && !joined.has(c.target);
}

// --- User actions --------------------------------------------------------------------------

function submit(): void {
  const text = $('text') as HTMLTextAreaElement;
  const c = current === null ? undefined : conversations.get(current);
  if (c === undefined || text.value.trim() === '' || me === null) return;
  const m: ChatMessage = {
    from: me.uri,
    network: me.domain,
    time: new Date().toISOString(),
    text: text.value,
    own: true,
    status: 'sending',
  };
  c.messages.push(m);
  const frame =
    c.kind === 'room'
      ? { type: 'send', room: c.target, text: text.value }
      : { type: 'send', to: c.target, text: text.value };
  if (!request(frame, 'send', { message: m })) {
    m.status = 'failed';
    m.reason = 'not connected';
  }
  text.value = '';
  render();
}

function signOut(reason = ''): void {
  conn?.stop();
  conn = null;
  me = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('chat').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = reason;
}

function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  const path = document.querySelector('meta[name="cpim-ws-path"]')?.getAttribute('content') ?? '/ws';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  conn = new Conn(`${scheme}//${location.host}${path}`, token, {
    onFrame,
    onState(state: ConnState, detail: string) {
      const e = $('conn');
      e.dataset.state = state;
      e.textContent = detail;
    },
    onClose(code, reason, final) {
      // A request in flight when the connection dropped has an unknown outcome: say so.
      for (const [id, p] of pending) {
        if (p.message) {
          p.message.status = 'unknown';
          p.message.reason = 'the connection dropped before the answer';
        }
        pending.delete(id);
      }
      if (final) signOut(reason || `closed (${code})`);
      else render();
    },
  });
  conn.start();
}

function wire(): void {
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn(($('token') as HTMLInputElement).value.trim());
  });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  });
  $('new-direct').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('new-direct-to') as HTMLInputElement;
    if (input.value.trim() === '' || me === null) return;
    const uri = toUri(input.value);
    conversation('direct', uri);
    watch(uri);
    input.value = '';
    open(`direct:${uri}`);
  });
  $('my-state').addEventListener('change', (e) => {
    myState = (e.target as HTMLSelectElement).value === 'away' ? 'away' : 'online';
    sendPresence();
  });
  $('my-note').addEventListener('change', () => sendPresence());
  $('signout').addEventListener('click', () => signOut());
  // Idle after a while without input (RFC 4480 user-input); back to online on the next input.
  for (const ev of ['keydown', 'mousemove', 'pointerdown']) {
    document.addEventListener(ev, () => {
      lastInput = Date.now();
      if (idle) {
        idle = false;
        sendPresence();
      }
    });
  }
  window.setInterval(() => {
    if (!idle && me !== null && Date.now() - lastInput > IDLE_AFTER_MS) {
      idle = true;
      sendPresence();
    }
  }, 30_000);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
}

wire();
