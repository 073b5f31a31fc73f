/**
 * The page's WebSocket: connects to the gateway it was served from, signs in with the token,
 * and reconnects by itself after a drop with exponential backoff and jitter (docs/bridge-requirements.md row 6:
 * reconnects that always recover, without storms).
 */
import type { ServerFrame } from '../protocol.js';

export type ConnState = 'connecting' | 'online' | 'reconnecting' | 'signed-out';

/** Close codes after which retrying cannot help (docs/adapters/web-chat.md, close codes). */
const FINAL_CODES = new Set([4002, 4003, 4004]);

export interface ConnEvents {
  onFrame(frame: ServerFrame): void;
  onState(state: ConnState, detail: string): void;
  /** The socket closed; `final` when the page should stop and ask for a token. */
  onClose(code: number, reason: string, final: boolean): void;
}

export class Conn {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private token: string,
    private readonly events: ConnEvents,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close(1000, 'signed out');
    this.ws = null;
  }

  /** False when the socket is not open (the caller marks the request failed). */
  send(frame: object): boolean {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Signed in: the next drop starts the backoff from the beginning. */
  authenticated(): void {
    this.attempt = 0;
    this.events.onState('online', 'connected');
  }

  private open(): void {
    this.events.onState(this.attempt === 0 ? 'connecting' : 'reconnecting', 'connecting…');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', v: 2, token: this.token }));
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      try {
        this.events.onFrame(JSON.parse(e.data) as ServerFrame);
      } catch (err) {
        console.error('bad frame from the gateway', err);
      }
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const final = FINAL_CODES.has(e.code);
      this.events.onClose(e.code, e.reason, final || this.stopped);
      if (final || this.stopped) return;
      // 0.5 s, 1 s, 2 s … up to 15 s, each with up to 50 % jitter.
      const base = Math.min(15_000, 500 * 2 ** this.attempt++);
      const delay = Math.round(base * (0.5 + Math.random() / 2));
      this.events.onState('reconnecting', `reconnecting in ${Math.ceil(delay / 1000)} s`);
      this.timer = window.setTimeout(() => this.open(), delay);
    };
  }
}
