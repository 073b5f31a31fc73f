/**
 * The web chat page (docs/adapters/web-chat.md): sign in with a token, rooms and direct conversations, messages
 * with sender, network and time, each own message's delivery answer, presence dots with notes,
 * automatic idle, and reconnecting after a drop (rooms, watches and presence are restored).
 * Protocol version 2 (issue 15): history when a conversation is joined or opened and on scrolling
 * up, catching up after a reconnect or a reload, messages kept for someone away, and reports.
 */
import type { ResultFrame, ServerFrame, WelcomeFrame } from '../protocol.js';
import { Conn, type ConnState } from './conn.js';
import { open, render } from './render.js';
import { domain, toUri } from './addresses.js';
import { joinRoom, load, loadOlder, onHistory, onMessage, onReport, sentAs } from './history.js';
import { composing, sendEdit } from './relations.js';
import { request, watch } from './requests.js';
import { attached, pick, uploading } from './upload.js';
import {
  chat,
  conversation,
  conversations,
  forget,
  joined,
  members,
  pending,
  presence,
  recalled,
  remember,
  watched,
} from './state.js';
import { $, shortName, type ChatMessage } from './view.js';

const TOKEN_KEY = 'cpim.token';
const IDLE_AFTER_MS = 5 * 60_000;

let myState: 'online' | 'away' = 'online';
let idle = false;
let lastInput = Date.now();

function sendPresence(): void {
  const note = ($('my-note') as HTMLInputElement).value;
  const state = idle && myState === 'online' ? 'idle' : myState;
  // Our own dot comes from what we set, not from a watch of ourselves.
  if (chat.me !== null) presence.set(chat.me.presentity, note === '' ? { state } : { state, note });
  request({ type: 'presence', state, note }, 'presence');
  render();
}

// --- Frames from the gateway ---------------------------------------------------------------

function onWelcome(w: WelcomeFrame): void {
  chat.me = w;
  chat.conn?.authenticated();
  $('signin').hidden = true;
  $('chat').hidden = false;
  $('me').textContent = w.user;
  $('me').title = w.uri;
  // A reloaded page: the rooms and direct conversations this tab had (sessionStorage).
  if (conversations.size === 0) {
    const saved = recalled();
    for (const r of saved.rooms) if (w.rooms.some((x) => x.name === r)) joined.add(r);
    for (const d of saved.directs) conversation('direct', d);
    for (const r of joined) conversation('room', r);
  }
  // After a reconnect: the same rooms, the same watches, the same presence, and what was missed
  // (a join or a history request names the newest message seen).
  for (const r of joined) joinRoom(r);
  for (const c of conversations.values()) if (c.kind === 'direct') load(c);
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
  if (p.about && p.apply) {
    // Issue 17: an edit, deletion or reaction changes the page once the gateway took it.
    if (r.status === 'ok') p.apply();
    else p.about.reason = `${r.errorType}${r.description ? ` (${r.description})` : ''}`;
  } else if (p.message) {
    const m = p.message;
    if (r.status === 'error') {
      m.status = 'failed';
      m.reason = `${r.errorType}${r.description ? ` (${r.description})` : ''}`;
    } else if (r.stored !== undefined) {
      // Kept, not delivered (the `Stored` header): say for whom and until when.
      sentAs(m, r.messageId);
      m.status = 'stored';
      m.reason =
        r.stored === 'offline'
          ? `stored, will be delivered when ${shortName(p.to ?? '', domain())} is back`
          : 'kept in the room’s history';
    } else {
      sentAs(m, r.messageId);
      m.status = r.unreliable ? 'sent' : 'delivered';
      // Issue 20: members that did not get it, and what a network clipped, are said beside it.
      const notes = [
        ...(r.failed?.length
          ? [`not to ${r.failed.map((f) => `${shortName(f.member, domain())}: ${f.errorType}`).join(', ')}`]
          : []),
        ...(r.clipped ?? []).map((c) => `clipped: ${c}`),
      ];
      if (notes.length > 0) m.reason = notes.join('; ');
    }
  } else if (p.kind === 'join' && p.room) {
    if (r.status === 'ok') joined.add(p.room);
    else joined.delete(p.room);
    remember();
  } else if (p.kind === 'history' && p.conversation) {
    const c = conversations.get(p.conversation);
    if (c) c.loading = false;
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
      // A direct conversation that starts with this message: its history comes too.
      if (c.kind === 'direct' && !c.loaded) load(c);
      if (f.delivery !== '') chat.conn?.send({ type: 'ack', delivery: f.delivery });
      // Not a new message (already shown, or an edit, deletion or reaction): redraw only.
      if (!onMessage(c, f)) return render();
      if (c.key !== chat.current) c.unread++;
      if (!f.own) watch(f.from);
      return render();
    }
    case 'presence':
      presence.set(f.who, f.note === undefined ? { state: f.state } : { state: f.state, note: f.note });
      return render();
    case 'history':
      onHistory(f);
      return render();
    case 'report':
      onReport(f, (uri) => shortName(uri, domain()));
      return render();
    case 'room':
      members.set(f.room, f.members);
      for (const m of f.members) watch(m);
      return render();
    case 'error':
      if (f.code === 'auth-failed' || f.code === 'token-expired' || f.code === 'auth-throttled')
        return signOut(f.message);
      if (f.id !== undefined)
        onResult({ type: 'result', id: f.id, status: 'error', errorType: f.code, description: f.message });
      else console.warn('gateway error', f);
  }
}

// --- User actions --------------------------------------------------------------------------

function submit(): void {
  const text = $('text') as HTMLTextAreaElement;
  const c = chat.current === null ? undefined : conversations.get(chat.current);
  // Issue 17: files uploaded and waiting go with the text (which may then be empty).
  const files = composing.editing === null ? attached.splice(0) : [];
  if (c === undefined || (text.value.trim() === '' && files.length === 0) || chat.me === null) {
    attached.push(...files);
    return;
  }
  if (uploading()) {
    attached.push(...files);
    return;
  }
  const editing = composing.editing;
  const replyTo = composing.replyTo?.id;
  composing.editing = composing.replyTo = null;
  if (editing !== null) {
    sendEdit(editing, text.value);
    text.value = '';
    return render();
  }
  const m: ChatMessage = {
    from: chat.me.uri,
    network: chat.me.domain,
    time: new Date().toISOString(),
    text: text.value,
    own: true,
    status: 'sending',
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(files.length === 0 ? {} : { attachments: files }),
  };
  c.messages.push(m);
  const frame = {
    type: 'send',
    ...(c.kind === 'room' ? { room: c.target } : { to: c.target }),
    ...(text.value.trim() === '' ? {} : { text: text.value }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(files.length === 0 ? {} : { attachments: files.map((f) => ({ url: f.url })) }),
  };
  if (!request(frame, 'send', { message: m, ...(c.kind === 'direct' ? { to: c.target } : {}) })) {
    m.status = 'failed';
    m.reason = 'not connected';
  }
  text.value = '';
  render();
}

function signOut(reason = ''): void {
  chat.conn?.stop();
  chat.conn = null;
  chat.me = null;
  sessionStorage.removeItem(TOKEN_KEY);
  forget();
  $('chat').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = reason;
}

function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  const path = document.querySelector('meta[name="cpim-ws-path"]')?.getAttribute('content') ?? '/ws';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  chat.conn = new Conn(`${scheme}//${location.host}${path}`, token, {
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
  chat.conn.start();
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
  // Issue 17: the file button and files dropped on the conversation (upload.ts).
  $('attach').addEventListener('click', () => $('file').click());
  $('file').addEventListener('change', () => {
    const input = $('file') as HTMLInputElement;
    if (input.files !== null) pick(input.files, render);
    input.value = '';
  });
  const main = document.querySelector('main.conversation')!;
  main.addEventListener('dragover', (e) => {
    if (($('attach') as HTMLButtonElement).disabled) return;
    e.preventDefault();
    main.classList.add('dropping');
  });
  main.addEventListener('dragleave', () => main.classList.remove('dropping'));
  main.addEventListener('drop', (e) => {
    main.classList.remove('dropping');
    const files = (e as DragEvent).dataTransfer?.files;
    if (files === undefined || files.length === 0 || ($('attach') as HTMLButtonElement).disabled) return;
    e.preventDefault();
    pick(files, render);
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
    if (input.value.trim() === '' || chat.me === null) return;
    const uri = toUri(input.value);
    const c = conversation('direct', uri);
    if (!c.loaded) load(c);
    watch(uri);
    input.value = '';
    open(`direct:${uri}`);
  });
  $('my-state').addEventListener('change', (e) => {
    myState = (e.target as HTMLSelectElement).value === 'away' ? 'away' : 'online';
    sendPresence();
  });
  $('my-note').addEventListener('change', () => sendPresence());
  // Scrolled to the top: the messages before the first one shown.
  $('messages').addEventListener('scroll', () => {
    const c = chat.current === null ? undefined : conversations.get(chat.current);
    if (c !== undefined && $('messages').scrollTop < 40) loadOlder(c);
  });
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
    if (!idle && chat.me !== null && Date.now() - lastInput > IDLE_AFTER_MS) {
      idle = true;
      sendPresence();
    }
  }, 30_000);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
}

wire();
