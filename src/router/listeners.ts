/**
 * Who listens on which inbox (IMTP `listen`, draft §16.1, part 3 row 48). One entry per
 * (inbox, connection): re-issuing listen on the same connection replaces its filters. There is no
 * `unlisten` (part 4 row 18): a listen ends with its connection (part 4 row 15).
 */
import { matchPattern, type Address, type Pattern } from '../model/index.js';
import type { Endpoint } from './operation.js';

export interface Listener {
  readonly connectionId: string;
  readonly endpoint: Endpoint;
  readonly only: readonly Pattern[];
  readonly except: readonly Pattern[];
}

function anyMatch(patterns: readonly Pattern[], sender: Address): boolean {
  for (let i = 0; i < patterns.length; i++) if (matchPattern(patterns[i]!, sender)) return true;
  return false;
}

/** §16.1: with Only present, only senders matching one; never senders matching an Except. */
export function admits(listener: Listener, sender: Address): boolean {
  if (listener.only.length > 0 && !anyMatch(listener.only, sender)) return false;
  return !(listener.except.length > 0 && anyMatch(listener.except, sender));
}

export class Listeners {
  /** inbox URI (canonical) → connection id → listener. */
  private readonly byInbox = new Map<string, Map<string, Listener>>();
  /** connection id → inbox URIs it listens on, for connectionClosed. */
  private readonly byConnection = new Map<string, Set<string>>();

  listen(inbox: string, listener: Listener): void {
    let conns = this.byInbox.get(inbox);
    if (conns === undefined) this.byInbox.set(inbox, (conns = new Map()));
    conns.set(listener.connectionId, listener);
    let inboxes = this.byConnection.get(listener.connectionId);
    if (inboxes === undefined) this.byConnection.set(listener.connectionId, (inboxes = new Set()));
    inboxes.add(inbox);
  }

  /**
   * The listeners that take a message from `sender`: a filtered-out sender is treated as if that
   * connection were not listening (§16.1), so an empty result means `no-listeners`.
   */
  accepting(inbox: string, sender: Address): Listener[] {
    const out: Listener[] = [];
    const conns = this.byInbox.get(inbox);
    if (conns === undefined) return out;
    for (const l of conns.values()) if (admits(l, sender)) out.push(l);
    return out;
  }

  has(inbox: string): boolean {
    return this.byInbox.has(inbox);
  }

  /** Inboxes `connectionId` listens on (bounded by `limits.maxListensPerConnection`, imtp.ts). */
  countOf(connectionId: string): number {
    return this.byConnection.get(connectionId)?.size ?? 0;
  }

  /** Does `connectionId` listen on `inbox` already (a repeated listen only replaces filters)? */
  isListening(inbox: string, connectionId: string): boolean {
    return this.byInbox.get(inbox)?.has(connectionId) ?? false;
  }

  dropConnection(connectionId: string): void {
    const inboxes = this.byConnection.get(connectionId);
    if (inboxes === undefined) return;
    this.byConnection.delete(connectionId);
    for (const inbox of inboxes) {
      const conns = this.byInbox.get(inbox);
      if (conns === undefined) continue;
      conns.delete(connectionId);
      if (conns.size === 0) this.byInbox.delete(inbox);
    }
  }
}
