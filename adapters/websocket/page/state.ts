/**
 * The web chat page's model: conversations, presence, watches, joined rooms and requests awaiting
 * a result, and the requests that change them (frames to the gateway, README "Protocol").
 */
import type { WelcomeFrame } from '../protocol.js';
import type { Conn } from './conn.js';
import type { ChatMessage, Presence } from './view.js';

export interface Conversation {
  readonly key: string;
  readonly kind: 'room' | 'direct';
  /** Room name, or the peer's im: URI. */
  readonly target: string;
  readonly messages: ChatMessage[];
  unread: number;
}

/** What is reassigned as the page runs: the connection, the welcome, the open conversation. */
export const chat: { conn: Conn | null; me: WelcomeFrame | null; current: string | null } = {
  conn: null,
  me: null,
  current: null,
};
let seq = 0;
export const conversations = new Map<string, Conversation>();
export const presence = new Map<string, Presence>();
export const watched = new Set<string>();
export const joined = new Set<string>();
export const members = new Map<string, string[]>();
/** Requests awaiting a result: sends point at their message, watches at their presentity. */
export interface Pending {
  readonly kind: string;
  readonly message?: ChatMessage;
  readonly room?: string;
  readonly presentity?: string;
}
export const pending = new Map<string, Pending>();

function nextId(): string {
  return `r${++seq}`;
}

export function domain(): string {
  return chat.me?.domain ?? '';
}

/** A bare name is a web user here; the server reads the same forms (translate.ts readTarget). */
export function toUri(who: string): string {
  const t = who.trim();
  if (/^[a-z0-9][a-z0-9_-]{0,31}$/.test(t)) return `im:${t}@${domain()}`;
  if (/^(im|pres):/.test(t)) return 'im:' + t.slice(t.indexOf(':') + 1);
  return `im:${t}`;
}

export function presUri(uri: string): string {
  return 'pres:' + uri.slice(uri.indexOf(':') + 1);
}

export function conversation(kind: 'room' | 'direct', target: string): Conversation {
  const key = `${kind}:${target}`;
  let c = conversations.get(key);
  if (c === undefined) {
    c = { key, kind, target, messages: [], unread: 0 };
    conversations.set(key, c);
  }
  return c;
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
