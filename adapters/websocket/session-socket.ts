/**
 * The server side of one browser connection as ws makes it (http-server.ts passes this class as
 * ws's `WebSocket` option): a ws WebSocket that hands its events straight to its Session.
 *
 * Why (issue 18, idle connections at 10,000): five `ws.on(...)` listeners per connection, each a
 * closure over the session, cost ~480 B per connection (the closures, their context, and ws's
 * `_events` table growing from an empty dictionary to five entries). Here every connection shares
 * the one `emit` below and the adapter's one `SessionHost`; the session is a field. Listeners added
 * with `on`/`once` by anyone else still get every event after the session has seen it.
 */
import { WebSocket } from 'ws';
import type { Session } from './session.js';

/** What the adapter does with a session's events: one object per adapter, not per connection. */
export interface SessionHost {
  /** A text frame (`null` for a binary one). */
  frame(s: Session, data: string | null): void;
  /** ws reports a protocol violation (a frame over maxPayload, closed with 1009, say). */
  error(s: Session, err: Error): void;
  /** The connection is closed (ws's `close` event). */
  closed(s: Session, code: number): void;
  /** The session is closing a client that does not read (4008). */
  overflowed(s: Session): void;
}

export class SessionSocket extends WebSocket {
  /** Set once the connection is accepted (ws-adapter.ts `accept`); events before that: none. */
  session: Session | null = null;

  /**
   * ws emits `message` (data, isBinary), `ping` (data), `pong` (data), `error` (err) and `close`
   * (code, reason) on a server-side socket: at most two arguments, so no rest array per frame.
   */
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    const s = this.session;
    if (s === null || s.host === null) return super.emit(event, a, b);
    switch (event) {
      case 'message':
        s.host.frame(s, b === true ? null : (a as Buffer).toString('utf8'));
        break;
      case 'ping':
        s.answerPing(a as Buffer);
        break;
      case 'pong':
        s.alive = true;
        break;
      case 'error':
        s.host.error(s, a as Error);
        // Handled: EventEmitter would throw an `error` nobody else listens to.
        if (this.listenerCount('error') === 0) return true;
        break;
      case 'close':
        s.host.closed(s, a as number);
        break;
    }
    super.emit(event, a, b);
    return true;
  }
}
