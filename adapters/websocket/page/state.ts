/**
 * The web chat page's model: conversations, presence, watches, joined rooms and requests awaiting
 * a result. The requests that change them are in requests.ts, addresses in addresses.ts.
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

export function conversation(kind: 'room' | 'direct', target: string): Conversation {
  const key = `${kind}:${target}`;
  let c = conversations.get(key);
  if (c === undefined) {
    c = { key, kind, target, messages: [], unread: 0 };
    conversations.set(key, c);
  }
  return c;
}
