/**
 * The load generator's side of IMTP, kept cheap on purpose (it must outrun the gateway):
 * a frame scanner that only finds where each frame ends (blank line plus Content-Length, or the
 * end of a `=` line), pre-encoded `send` frames of a fixed size, and a raw hub connection that
 * authenticates with PLAIN and listens before it hands its socket over.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

const LF = 0x0a;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH_NAME = Buffer.from('Content-Length:');

/**
 * Finds frame ends in a byte stream without parsing headers. `onFrame(buf, start, end)` gets
 * each whole frame (buf may be a joined copy when a frame spans reads).
 */
export class FrameScanner {
  private carry: Buffer | null = null;

  constructor(private readonly onFrame: (buf: Buffer, start: number, end: number) => void) {}

  /** Scans `chunk`; returns how many frames ended in it. */
  push(chunk: Buffer): number {
    let buf = chunk;
    if (this.carry !== null) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let pos = 0;
    let frames = 0;
    const len = buf.length;
    while (pos < len) {
      const end = frameEnd(buf, pos);
      if (end === -1) break;
      this.onFrame(buf, pos, end);
      frames++;
      pos = end;
    }
    if (pos < len) this.carry = pos === 0 ? buf : buf.subarray(pos);
    return frames;
  }
}

/** Where the frame starting at `start` ends, or -1 when `buf` does not hold all of it yet. */
export function frameEnd(buf: Buffer, start: number): number {
  if (buf[start] === 0x3d /* "=" */) {
    const lf = buf.indexOf(LF, start);
    return lf === -1 ? -1 : lf + 1;
  }
  const blank = buf.indexOf(CRLFCRLF, start);
  if (blank === -1) return -1;
  const head = blank + 4;
  // Content-Length is looked for only at the starts of this frame's header lines.
  let line = buf.indexOf(LF, start) + 1;
  while (line > 0 && line < blank) {
    if (startsWith(buf, line, CONTENT_LENGTH_NAME)) {
      let n = 0;
      for (let i = line + CONTENT_LENGTH_NAME.length; i < blank; i++) {
        const c = buf[i]!;
        if (c >= 0x30 && c <= 0x39) n = n * 10 + (c - 0x30);
        else if (c !== 0x20 && c !== 0x09) break;
      }
      return head + n <= buf.length ? head + n : -1;
    }
    line = buf.indexOf(LF, line) + 1;
  }
  return head;
}

function startsWith(buf: Buffer, at: number, what: Buffer): boolean {
  if (at + what.length > buf.length) return false;
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** The id of a command (`>id method`) or response (`<id status`) starting at `start`. */
export function frameId(buf: Buffer, start: number): string {
  const sp = buf.indexOf(0x20, start);
  return buf.toString('latin1', start + 1, sp);
}

/** True for a `<id error (...)` response. */
export function isErrorResponse(buf: Buffer, start: number): boolean {
  if (buf[start] !== 0x3c) return false;
  const sp = buf.indexOf(0x20, start);
  return buf[sp + 1] === 0x65; // "e"rror
}

/** Digits of the sequence number at the start of a payload (the first 8 octets). */
export function payloadSeq(buf: Buffer, payloadStart: number): number {
  let n = 0;
  for (let i = payloadStart; i < payloadStart + 8; i++) n = n * 10 + (buf[i]! - 0x30);
  return n;
}

/** Start of the payload of a frame (after the blank line). */
export function payloadStart(buf: Buffer, start: number): number {
  return buf.indexOf(CRLFCRLF, start) + 4;
}

export const FRAME_SIZE = 120;
export const SEQ_DIGITS = 8;

/**
 * `count` IMTP send frames of exactly `size` octets, back to back, the i-th with id and
 * payload sequence number `first + i` (8 digits, so the payload starts with it).
 */
export function sendFrames(
  count: number,
  sender: string,
  inbox: string,
  first = 0,
  size = FRAME_SIZE,
): Buffer {
  const headFor = (payloadLength: number, id: string): string =>
    `>${id} send\r\nSender: ${sender}\r\nInbox: ${inbox}\r\nContent-Length: ${payloadLength}\r\n\r\n`;
  const probe = headFor(0, '0'.repeat(SEQ_DIGITS)).length;
  // The payload length has itself a length: settle it by trying.
  let payloadLength = Math.max(SEQ_DIGITS + 1, size - probe);
  while (
    headFor(payloadLength, '0'.repeat(SEQ_DIGITS)).length + payloadLength > size &&
    payloadLength > SEQ_DIGITS + 1
  )
    payloadLength--;
  const filler = ' hello bob, are you there? see you at four'.repeat(Math.ceil(size / 40));
  const one = headFor(payloadLength, '0'.repeat(SEQ_DIGITS)).length + payloadLength;
  const out = Buffer.allocUnsafe(one * count);
  for (let i = 0; i < count; i++) {
    const seq = String(first + i).padStart(SEQ_DIGITS, '0');
    const payload = (seq + filler).slice(0, payloadLength);
    out.write(headFor(payloadLength, seq) + payload, i * one, 'latin1');
  }
  return out;
}

/** Octets of one frame made by sendFrames. */
export function sendFrameSize(buf: Buffer): number {
  return frameEnd(buf, 0);
}

export interface RawOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly ca: string };
  /** PLAIN user (password = user); none = no handshake (the forwarder). */
  readonly user?: string;
  /** `listen` on this inbox after authenticating. */
  readonly listen?: string;
}

/**
 * Connects and, for a gateway, waits for `=mech`, authenticates with PLAIN, waits for the
 * second `=mech` (draft §14.1) and optionally listens. Resolves with the socket, all its
 * listeners removed, ready for raw use.
 */
export async function rawConnect(o: RawOptions): Promise<net.Socket> {
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const s = o.tls
      ? tls.connect({ host: o.host, port: o.port, ca: o.tls.ca, servername: 'localhost' })
      : net.connect({ host: o.host, port: o.port });
    s.once('error', reject);
    s.once(o.tls ? 'secureConnect' : 'connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
  socket.setNoDelay(true);
  if (o.user === undefined) return socket;
  const frames: string[] = [];
  let waiting: (() => void) | null = null;
  const scanner = new FrameScanner((buf, s, e) => {
    frames.push(buf.toString('latin1', s, e));
    waiting?.();
  });
  const onData = (c: Buffer): void => void scanner.push(c);
  socket.on('data', onData);
  const next = async (what: string): Promise<string> => {
    const deadline = Date.now() + 10_000;
    while (frames.length === 0) {
      if (Date.now() > deadline || socket.destroyed) throw new Error(`no ${what} from ${o.host}:${o.port}`);
      await new Promise<void>((r) => {
        waiting = r;
        setTimeout(r, 100);
      });
    }
    return frames.shift()!;
  };
  const expectOk = async (what: string): Promise<void> => {
    const f = await next(what);
    if (!f.includes(' ok (')) throw new Error(`${what} refused: ${JSON.stringify(f)}`);
  };
  const mech = await next('=mech');
  if (!mech.startsWith('=mech') || !mech.includes('PLAIN')) throw new Error(`unexpected greeting ${mech}`);
  const cred = Buffer.from(`\0${o.user}\0${o.user}`);
  socket.write(`>a1 auth\r\nMechanism: PLAIN\r\nContent-Length: ${cred.length}\r\n\r\n`);
  socket.write(cred);
  await expectOk('auth');
  const again = await next('second =mech');
  if (again !== mech) throw new Error(`=mech changed after auth: ${again}`);
  if (o.listen !== undefined) {
    socket.write(`>a2 listen\r\nInbox: ${o.listen}\r\n\r\n`);
    await expectOk('listen');
  }
  socket.off('data', onData);
  if (frames.length > 0) throw new Error(`unexpected frames during setup: ${frames.join(' | ')}`);
  return socket;
}
