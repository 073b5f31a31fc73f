/**
 * The relay load generator: senders that write pre-encoded `send` frames (pipelined within a
 * window, or paced at a rate) and one raw listener that answers each delivered send with a
 * pre-encoded `ok` and records the time from send to receipt. Runs in the harness process; the
 * relay under test (a gateway, or the baseline forwarder) runs in its own.
 */
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { FrameScanner, isErrorResponse, payloadSeq, payloadStart } from './wire.js';

const OK_TAIL = Buffer.from(' ok (send)\r\n\r\n');

/**
 * Answers every delivered `send` with `<id ok (send)`, one write per input chunk, and records
 * delivery times: `latency[k]` = receipt time − `sentAt[seq]` for the k-th delivered frame.
 */
export class Listener {
  delivered = 0;
  latencyCount = 0;
  latency: Float64Array = new Float64Array(0);
  sentAt: Float64Array | null = null;
  private onProgress: (() => void) | null = null;
  private now = 0;
  private out: Buffer = Buffer.alloc(0);
  private outLen = 0;
  private readonly scanner: FrameScanner;

  constructor(readonly socket: net.Socket) {
    this.scanner = new FrameScanner((buf, start, end) => this.frame(buf, start, end));
    socket.on('data', (chunk: Buffer) => {
      this.now = performance.now();
      // At most one answer of 16 + id octets per 40 input octets.
      this.out = Buffer.allocUnsafe(chunk.length + 64);
      this.outLen = 0;
      this.scanner.push(chunk);
      if (this.outLen > 0) socket.write(this.out.subarray(0, this.outLen));
      this.onProgress?.();
    });
  }

  /** Prepares for `expected` deliveries, timing them against `sentAt` (indexed by sequence number). */
  reset(expected: number, sentAt: Float64Array | null): void {
    this.delivered = 0;
    this.latencyCount = 0;
    this.sentAt = sentAt;
    if (sentAt !== null && this.latency.length < expected) this.latency = new Float64Array(expected);
  }

  /** Resolves when `n` frames were delivered; rejects after `idleMs` without progress. */
  waitFor(n: number, idleMs = 10_000): Promise<void> {
    return waitProgress(
      () => this.delivered >= n,
      (f) => (this.onProgress = f),
      idleMs,
      () => `${this.delivered}/${n} delivered`,
    );
  }

  private frame(buf: Buffer, start: number, end: number): void {
    if (buf[start] !== 0x3e /* ">" */) return; // =nop, or a response to nothing we sent
    this.delivered++;
    // "<" id " ok (send)\r\n\r\n"
    const sp = buf.indexOf(0x20, start);
    let o = this.outLen;
    if (o + (sp - start) + OK_TAIL.length > this.out.length) {
      const bigger = Buffer.allocUnsafe(this.out.length * 2 + 64);
      this.out.copy(bigger, 0, 0, o);
      this.out = bigger;
    }
    this.out[o++] = 0x3c;
    o += buf.copy(this.out, o, start + 1, sp);
    o += OK_TAIL.copy(this.out, o);
    this.outLen = o;
    if (this.sentAt !== null) {
      const p = payloadStart(buf, start);
      if (p + 8 <= end) this.latency[this.latencyCount++] = this.now - this.sentAt[payloadSeq(buf, p)]!;
    }
  }
}

export function waitProgress(
  done: () => boolean,
  hook: (f: (() => void) | null) => void,
  idleMs: number,
  status: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    let timer = setTimeout(fail, idleMs);
    function fail(): void {
      hook(null);
      reject(new Error(`no progress for ${idleMs} ms (${status()})`));
    }
    hook(() => {
      if (done()) {
        clearTimeout(timer);
        hook(null);
        resolve();
      } else {
        clearTimeout(timer);
        timer = setTimeout(fail, idleMs);
      }
    });
  });
}

/** A sender: writes slices of a buffer of fixed-size pre-encoded frames and counts the answers. */
export class Sender {
  answered = 0;
  errors = 0;
  private onProgress: (() => void) | null = null;
  private onAnswers: ((n: number) => void) | null = null;
  private readonly scanner: FrameScanner;

  constructor(readonly socket: net.Socket) {
    this.scanner = new FrameScanner((buf, start) => {
      if (buf[start] !== 0x3c) return;
      if (isErrorResponse(buf, start)) this.errors++;
    });
    socket.on('data', (chunk: Buffer) => {
      const n = this.scanner.push(chunk);
      this.answered += n;
      this.onAnswers?.(n);
      this.onProgress?.();
    });
  }

  /**
   * Sends frames [first, first + count) of `frames` (each `size` octets), at most `window`
   * unanswered at a time, one write per batch of answers. Resolves when all are answered.
   */
  pipelined(frames: Buffer, size: number, first: number, count: number, window: number): Promise<void> {
    this.answered = 0;
    this.errors = 0;
    let next = first;
    const end = first + count;
    const write = (n: number): void => {
      const k = Math.min(n, end - next);
      if (k <= 0) return;
      this.socket.write(frames.subarray(next * size, (next + k) * size));
      next += k;
    };
    this.onAnswers = (n) => write(n);
    const done = waitProgress(
      () => this.answered >= count,
      (f) => (this.onProgress = f),
      10_000,
      () => `${this.answered}/${count} answered`,
    );
    write(window);
    return done.finally(() => (this.onAnswers = null));
  }

  /**
   * Sends `count` frames starting at `first` at `rate` per second, each written when due (a
   * setImmediate loop, so writes are not bunched by timer granularity), never more than `window`
   * unanswered. `sentAt[seq]` is the frame's scheduled time, not its write time, so a relay that
   * falls behind is charged for the queueing it causes (no coordinated omission). Resolves when
   * all are answered.
   */
  paced(
    frames: Buffer,
    size: number,
    first: number,
    count: number,
    rate: number,
    window: number,
    sentAt: Float64Array,
  ): Promise<void> {
    this.answered = 0;
    this.errors = 0;
    const done = waitProgress(
      () => this.answered >= count,
      (f) => (this.onProgress = f),
      10_000,
      () => `${this.answered}/${count} answered`,
    );
    const t0 = performance.now();
    const interval = 1000 / rate;
    for (let i = 0; i < count; i++) sentAt[first + i] = t0 + i * interval;
    let sent = 0;
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(count, Math.floor((now - t0) / interval) + 1, this.answered + window);
      if (due > sent) {
        this.socket.write(frames.subarray((first + sent) * size, (first + due) * size));
        sent = due;
      }
      if (sent < count) setImmediate(tick);
    };
    tick();
    return done;
  }
}
