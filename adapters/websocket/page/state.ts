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
  messages: ChatMessage[];
  unread: number;
  /** Ids of the messages shown: a message comes once, live or from history (protocol v2). */
  ids: Set<string>;
  /** The newest and oldest cursors seen (history and live frames), null before any. */
  newest: string | null;
  oldest: string | null;
  /** Older messages exist in the gateway's history. */
  more: boolean;
  /** Its history was asked for once (opened, joined, or a message arrived). */
  loaded: boolean;
  /** A `history` request for older messages is on its way. */
  loading: boolean;
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
  /** A `history` request: the conversation's key. */
  readonly conversation?: string;
  /** A direct `send`: whom it went to. */
  readonly to?: string;
  /** Issue 17: an edit, deletion or reaction of this message, applied on `ok` by `apply`. */
  readonly about?: ChatMessage;
  readonly apply?: () => void;
}
export const pending = new Map<string, Pending>();

export function conversation(kind: 'room' | 'direct', target: string): Conversation {
  const key = `${kind}:${target}`;
  let c = conversations.get(key);
  if (c === undefined) {
    c = {
      key,
      kind,
      target,
      messages: [],
      unread: 0,
      ids: new Set(),
      newest: null,
      oldest: null,
      more: false,
      loaded: false,
      loading: false,
    };
    conversations.set(key, c);
    remember();
  }
  return c;
}

const SAVED_KEY = 'cpim.conversations';

/**
 * The rooms joined and the direct conversations open, kept for this tab (sessionStorage, like the
 * token): a reloaded page joins and opens them again, and their history shows (issue 15).
 */
export function remember(): void {
  const saved = {
    rooms: [...joined],
    directs: [...conversations.values()].filter((c) => c.kind === 'direct').map((c) => c.target),
  };
  sessionStorage.setItem(SAVED_KEY, JSON.stringify(saved));
}

export function recalled(): { rooms: string[]; directs: string[] } {
  try {
    const v = JSON.parse(sessionStorage.getItem(SAVED_KEY) ?? '{}') as { rooms?: unknown; directs?: unknown };
    const strings = (x: unknown): string[] =>
      Array.isArray(x) ? x.filter((e): e is string => typeof e === 'string') : [];
    return { rooms: strings(v.rooms), directs: strings(v.directs) };
  } catch {
    return { rooms: [], directs: [] };
  }
}

export function forget(): void {
  sessionStorage.removeItem(SAVED_KEY);
}
