/**
 * The web chat page's requests: frames to the gateway (docs/adapters/web-chat.md "Protocol") recorded as pending
 * until their result arrives, and the watches they start.
 */
import { presUri } from './addresses.js';
import { chat, pending, watched, type Pending } from './state.js';

let seq = 0;

function nextId(): string {
  return `r${++seq}`;
}

export function request(
  frame: Record<string, unknown>,
  kind: string,
  extra: Omit<Pending, 'kind'> = {},
): boolean {
  const id = nextId();
  pending.set(id, { kind, ...extra });
  if (chat.conn?.send({ ...frame, id })) return true;
  pending.delete(id);
  return false;
}

export function watch(uri: string): void {
  const p = presUri(uri);
  if (chat.me === null || p === chat.me.presentity || watched.has(p)) return;
  watched.add(p);
  request({ type: 'watch', who: p }, 'watch', { presentity: p });
}
