/**
 * The IRC benchmarks' load generator: a raw IRC client (registration, JOIN, NAMES, PING/PONG by
 * hand, so it outruns whatever it measures), pre-encoded fixed-size PRIVMSG lines carrying a
 * sequence number behind a marker (`@@00000042`), sinks that find those numbers wherever the line
 * comes out (another IRC client, a hub listener, a WebSocket client, an XMPP client), and the
 * pipelined and paced drivers. Latency is from a line's scheduled send time to its receipt
 * (no coordinated omission), as in bench/lib/loadgen.ts.
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { waitProgress } from './loadgen.js';
import { FrameScanner } from './wire.js';

const LF = 0x0a;
/** What precedes the 8-digit sequence number in every benchmark line. */
export const MARK = Buffer.from('@@');
const MARK_TEXT = '@@';
const SEQ_DIGITS = 8;
const FILLER = ' hello bob, are you there? see you at four';

/** The 8 digits after a mark at `at` (the mark's position), or -1 when they are not all there. */
export function seqAt(buf: Buffer | string, at: number): number {
  let n = 0;
  const from = at + 2;
  if (from + SEQ_DIGITS > buf.length) return -1;
  for (let i = from; i < from + SEQ_DIGITS; i++) {
    const c = typeof buf === 'string' ? buf.charCodeAt(i) : buf[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** The text every line carries: mark, sequence number, filler (constant length). */
export function lineText(seq: number): string {
  return `${MARK_TEXT}${String(seq).padStart(SEQ_DIGITS, '0')}${FILLER}`;
}

/** `count` PRIVMSG lines to `target`, back to back, all the same length; returns them and the length. */
export function privmsgLines(target: string, count: number): { buf: Buffer; size: number } {
  const size = Buffer.byteLength(`PRIVMSG ${target} :${lineText(0)}\r\n`);
  const buf = Buffer.allocUnsafe(size * count);
  for (let i = 0; i < count; i++) buf.write(`PRIVMSG ${target} :${lineText(i)}\r\n`, i * size, 'latin1');
  return { buf, size };
}

/** ":server 366 me #chan :End of NAMES list" for `channel`. */
function isEndOfNames(line: string, channel: string): boolean {
  const p = line.split(' ', 4);
  return p[1] === '366' && p[3]?.toLowerCase() === channel.toLowerCase();
}

/** Where delivered lines are counted and timed. */
export class Sink {
  delivered = 0;
  latencyCount = 0;
  latency: Float64Array = new Float64Array(0);
  /** Lines whose number could not be read (should stay 0). */
  unreadable = 0;
  onProgress: (() => void) | null = null;
  private sentAt: Float64Array | null = null;

  reset(expected: number, sentAt: Float64Array | null): void {
    this.delivered = 0;
    this.latencyCount = 0;
    this.sentAt = sentAt;
    if (sentAt !== null && this.latency.length < expected) this.latency = new Float64Array(expected);
  }

  /** One line with sequence number `seq` arrived at `now` (performance.now()). */
  record(seq: number, now: number): void {
    if (seq < 0) {
      this.unreadable++;
      return;
    }
    this.delivered++;
    if (this.sentAt !== null) this.latency[this.latencyCount++] = now - this.sentAt[seq]!;
  }

  progress(): void {
    this.onProgress?.();
  }
}

/**
 * A raw IRC client. Until `hot()` it parses every line (registration, JOIN, NAMES); afterwards
 * it only answers PING and hands every line containing the mark to `sink`.
 */
export class RawIrc {
  readonly sink = new Sink();
  private carry: Buffer | null = null;
  private lines: string[] = [];
  private waiters: (() => void)[] = [];
  private hotMode = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', () => undefined);
  }

  /** Connects and registers as `nick`; resolves after RPL_WELCOME (001). */
  static async connect(port: number, nick: string, host = '127.0.0.1'): Promise<RawIrc> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const c = new RawIrc(socket);
    socket.write(`NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`);
    await c.waitLine((l) => / 001 /.test(l), `RPL_WELCOME for ${nick}`);
    return c;
  }

  /** Joins `channel` and waits for the end of its NAMES (366). */
  async join(channel: string): Promise<void> {
    await this.cold(async () => {
      this.socket.write(`JOIN ${channel}\r\n`);
      await this.waitLine((l) => isEndOfNames(l, channel), `JOIN ${channel}`);
    });
  }

  /** Runs `f` with every line parsed (setup in the middle of a run), then restores the mode. */
  private async cold<T>(f: () => Promise<T>): Promise<T> {
    const was = this.hotMode;
    this.hotMode = false;
    this.lines = [];
    try {
      return await f();
    } finally {
      this.hotMode = was;
    }
  }

  /** Polls NAMES until `nick` is in `channel` (the gateway joins after it registers). */
  async waitMember(channel: string, nick: string, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const names = (l: string): string[] | null => {
      const p = l.split(' ');
      // ":server 353 me = #chan :@op +voice nick"
      if (p[1] !== '353' || p[4]?.toLowerCase() !== channel.toLowerCase()) return null;
      return l
        .slice(l.indexOf(' :', 1) + 2)
        .split(' ')
        .map((n) => n.replace(/^[@+%&~]+/, '').toLowerCase());
    };
    for (;;) {
      const found = await this.cold(async () => {
        let seen = false;
        this.socket.write(`NAMES ${channel}\r\n`);
        await this.waitLine((l) => {
          if (names(l)?.includes(nick.toLowerCase())) seen = true;
          return isEndOfNames(l, channel);
        }, `NAMES ${channel}`);
        return seen;
      });
      if (found) return;
      if (Date.now() > until) throw new Error(`${nick} did not join ${channel} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** From now on only PING and marked lines are looked at. */
  hot(): void {
    this.hotMode = true;
    this.lines = [];
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  async quit(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((r) => this.socket.once('close', () => r()));
    this.socket.end('QUIT :bye\r\n');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 300))]);
    this.socket.destroy();
  }

  private async waitLine(pred: (line: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex(pred);
      if (i !== -1) {
        const l = this.lines[i]!;
        this.lines.splice(0, i + 1);
        return l;
      }
      if (Date.now() > until || this.socket.destroyed)
        throw new Error(`no ${what} (last lines: ${this.lines.slice(-3).join(' | ')})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  private data(chunk: Buffer): void {
    const now = performance.now();
    const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    let pos = 0;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf === -1) break;
      if (this.hotMode) {
        if (buf[pos] === 0x50 /* P */ && buf.toString('latin1', pos, pos + 5) === 'PING ')
          this.socket.write(`PONG ${buf.toString('latin1', pos + 5, lf).trim()}\r\n`);
        else {
          const m = buf.indexOf(MARK, pos);
          if (m !== -1 && m < lf) this.sink.record(seqAt(buf, m), now);
        }
      } else {
        const line = buf.toString('utf8', pos, lf).replace(/\r$/, '');
        if (line.startsWith('PING ')) this.socket.write(`PONG ${line.slice(5)}\r\n`);
        this.lines.push(line);
      }
      pos = lf + 1;
    }
    if (pos < buf.length) this.carry = buf.subarray(pos);
    if (this.hotMode) this.sink.progress();
    else for (const w of this.waiters.splice(0)) w();
  }
}

const OK_TAIL = Buffer.from(' ok (send)\r\n\r\n');

/**
 * A hub listener's socket (authenticated, listening; see wire.ts rawConnect): answers every
 * delivered `send` with a pre-encoded `ok` (one write per input chunk) and records the line
 * number found behind the mark in the payload.
 */
export function hubSink(socket: net.Socket): Sink {
  const sink = new Sink();
  let now = 0;
  let out = Buffer.alloc(0);
  let outLen = 0;
  const scanner = new FrameScanner((buf, start, end) => {
    if (buf[start] !== 0x3e /* ">" */) return;
    const sp = buf.indexOf(0x20, start);
    if (outLen + (sp - start) + OK_TAIL.length > out.length) {
      const bigger = Buffer.allocUnsafe(out.length * 2 + 256);
      out.copy(bigger, 0, 0, outLen);
      out = bigger;
    }
    out[outLen++] = 0x3c;
    outLen += buf.copy(out, outLen, start + 1, sp);
    outLen += OK_TAIL.copy(out, outLen);
    const m = buf.indexOf(MARK, start);
    sink.record(m !== -1 && m < end ? seqAt(buf, m) : -1, now);
  });
  socket.on('data', (chunk: Buffer) => {
    now = performance.now();
    out = Buffer.allocUnsafe(chunk.length + 64);
    outLen = 0;
    scanner.push(chunk);
    if (outLen > 0) socket.write(out.subarray(0, outLen));
    sink.progress();
  });
  return sink;
}

/**
 * A WebSocket client of the web chat adapter (signed in, joined to a room): records each
 * `message` frame's line number and acknowledges it as the page does.
 */
export function webSink(ws: WebSocket): Sink {
  const sink = new Sink();
  ws.on('message', (data: Buffer) => {
    const now = performance.now();
    const text = data.toString('utf8');
    if (!text.startsWith('{"type":"message"')) return;
    const f = JSON.parse(text) as { delivery?: string; text?: string };
    const m = f.text === undefined ? -1 : f.text.indexOf(MARK_TEXT);
    sink.record(m === -1 ? -1 : seqAt(f.text!, m), now);
    if (f.delivery) ws.send(`{"type":"ack","delivery":${JSON.stringify(f.delivery)}}`);
    sink.progress();
  });
  return sink;
}

/** A writer of fixed-size pre-encoded lines [from, to). */
export interface LineSource {
  write(from: number, to: number): void;
}

export function socketSource(socket: net.Socket, lines: { buf: Buffer; size: number }): LineSource {
  return {
    write: (from, to) => socket.write(lines.buf.subarray(from * lines.size, to * lines.size)),
  };
}

const IDLE_MS = 10_000;

/**
 * Writes lines [first, first + count) with at most `window` not yet delivered at the sink;
 * resolves with lines/s once all arrived (rejects after 10 s without progress).
 */
export async function pipelinedLines(
  source: LineSource,
  sink: Sink,
  first: number,
  count: number,
  window: number,
): Promise<number> {
  sink.reset(count, null);
  let next = first;
  const end = first + count;
  const pump = (): void => {
    const allowed = Math.min(end, first + sink.delivered + window);
    if (allowed > next) {
      source.write(next, allowed);
      next = allowed;
    }
  };
  const t0 = process.hrtime.bigint();
  const done = waitProgress(
    () => sink.delivered >= count,
    (f) =>
      (sink.onProgress =
        f === null
          ? null
          : () => {
              pump();
              f();
            }),
    IDLE_MS,
    () => `${sink.delivered}/${count} lines delivered, ${sink.unreadable} unreadable`,
  );
  pump();
  await done;
  return (count * 1e9) / Number(process.hrtime.bigint() - t0);
}

/**
 * Writes `count` lines from `first` at `rate` per second, each when due (setImmediate loop),
 * never more than `window` undelivered; `sentAt[seq]` is the scheduled time. Resolves with the
 * achieved rate; the sink holds the latencies (ms).
 */
export async function pacedLines(
  source: LineSource,
  sink: Sink,
  first: number,
  count: number,
  rate: number,
  window: number,
  sentAt: Float64Array,
): Promise<number> {
  sink.reset(count, sentAt);
  const t0 = performance.now();
  const interval = 1000 / rate;
  for (let i = 0; i < count; i++) sentAt[first + i] = t0 + i * interval;
  const done = waitProgress(
    () => sink.delivered >= count,
    (f) => (sink.onProgress = f),
    IDLE_MS,
    () => `${sink.delivered}/${count} lines delivered, ${sink.unreadable} unreadable`,
  );
  let sent = 0;
  let stopped = false;
  void done.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  const tick = (): void => {
    const due = Math.min(count, Math.floor((performance.now() - t0) / interval) + 1, sink.delivered + window);
    if (due > sent) {
      source.write(first + sent, first + due);
      sent = due;
    }
    if (sent < count && !stopped) setImmediate(tick);
  };
  const h0 = process.hrtime.bigint();
  tick();
  await done;
  return (count * 1e9) / Number(process.hrtime.bigint() - h0);
}
