/**
 * Drawing the web chat page from its model (state.ts): the room and conversation lists with
 * presence dots and unread counts, and the open conversation with its members or peer status.
 */
import { domain, presUri } from './addresses.js';
import { joinRoom, loadOlder } from './history.js';
import { composerBar, decorate } from './relations.js';
import { request } from './requests.js';
import { chat, conversation, conversations, joined, members, presence, remember } from './state.js';
import { uploadsBar } from './upload.js';
import { $, dot, h, listItem, messageItem, shortName } from './view.js';

export function open(key: string): void {
  chat.current = key;
  const c = conversations.get(key);
  if (c) c.unread = 0;
  render();
  ($('text') as HTMLTextAreaElement).focus();
}

export function render(): void {
  const me = chat.me;
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
          current: chat.current === `room:${r.name}`,
        },
        () => {
          conversation('room', r.name);
          if (!joined.has(r.name)) joinRoom(r.name);
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
          current: chat.current === c.key,
        },
        () => open(c.key),
      );
    }),
  );
  renderConversation(d);
}

function renderConversation(d: string): void {
  const c = chat.current === null ? undefined : conversations.get(chat.current);
  const header = $('conv-header');
  const text = $('text') as HTMLTextAreaElement;
  const button = $('send') as HTMLButtonElement;
  const membersPane = $('members');
  if (c === undefined) {
    header.replaceChildren(h('span', { class: 'empty' }, 'Pick a room or a person.'));
    $('messages').replaceChildren();
    membersPane.hidden = true;
    text.disabled = button.disabled = true;
    ($('attach') as HTMLButtonElement).disabled = true;
    return;
  }
  if (c.kind === 'room') {
    const room = chat.me!.rooms.find((r) => r.name === c.target);
    const leave = h('button', { class: 'small', type: 'button' }, joined.has(c.target) ? 'Leave' : 'Join');
    leave.addEventListener('click', () => {
      if (joined.has(c.target)) {
        joined.delete(c.target);
        remember();
        request({ type: 'leave', room: c.target }, 'leave');
      } else joinRoom(c.target);
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
  // Where the reader is: at the bottom it follows new messages; scrolled up (reading older ones,
  // which arrive above), it keeps its place.
  const fromBottom = messages.scrollHeight - messages.scrollTop;
  const following = fromBottom - messages.clientHeight < 30 || messages.dataset.key !== c.key;
  const older = c.more
    ? h(
        'li',
        { class: 'older' },
        h('button', { id: 'load-older', class: 'small', type: 'button' }, 'Earlier messages'),
      )
    : null;
  older?.querySelector('button')?.addEventListener('click', () => loadOlder(c));
  messages.replaceChildren(
    ...(older ? [older] : []),
    ...c.messages.map((m) => {
      const item = messageItem(m, d);
      decorate(item, m, d, render);
      return item;
    }),
  );
  $('composer-bar').replaceChildren(
    ...[composerBar(d, render), uploadsBar(render)].filter((e) => e !== null),
  );
  messages.dataset.key = c.key;
  messages.scrollTop = following ? messages.scrollHeight : messages.scrollHeight - fromBottom;
  text.disabled = button.disabled = c.kind === 'room' && !joined.has(c.target);
  // Issue 17: files only where the gateway takes them (the welcome frame names the limit).
  ($('attach') as HTMLButtonElement).disabled = text.disabled || chat.me?.limits.maxUploadBytes === undefined;
}
