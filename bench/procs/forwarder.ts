/**
 * The baseline of the relay benchmarks: a frame-aware forwarder process. It accepts senders on
 * one port and listeners on another, pairs the i-th of each, and passes frames both ways. For
 * every input chunk it finds each complete frame's end (blank line plus Content-Length, see
 * bench/lib/wire.ts) and writes the complete frames on, corked per chunk; it parses no header,
 * checks nothing and routes nothing. What any relay that frames its input must at least pay.
 * Reports its ports (and, when asked, its CPU time) over IPC; the parent stops it by PID (SIGTERM).
 */
import * as net from 'node:net';
import { frameEnd } from '../lib/wire.js';

/** Forwards the complete frames of each chunk from `from` to `to`, keeping a partial tail. */
function pipeFrames(from: net.Socket, to: () => net.Socket | null): void {
  let carry: Buffer | null = null;
  const early: Buffer[] = [];
  from.on('data', (chunk: Buffer) => {
    let buf = chunk;
    if (carry !== null) {
      buf = Buffer.concat([carry, chunk]);
      carry = null;
    }
    const out = to();
    let pos = 0;
    if (out !== null) {
      for (const e of early.splice(0)) out.write(e);
      out.cork();
    }
    for (;;) {
      const end = frameEnd(buf, pos);
      if (end === -1) break;
      if (out === null) early.push(buf.subarray(pos, end));
      else out.write(buf.subarray(pos, end));
      pos = end;
    }
    if (out !== null) out.uncork();
    if (pos < buf.length) carry = buf.subarray(pos);
  });
  from.on('error', () => from.destroy());
}

const senders: net.Socket[] = [];
const listeners: net.Socket[] = [];

function side(list: net.Socket[], other: net.Socket[]): net.Server {
  return net.createServer((socket) => {
    socket.setNoDelay(true);
    const i = list.length;
    list.push(socket);
    pipeFrames(socket, () => other[i] ?? null);
  });
}

const senderServer = side(senders, listeners);
const listenerServer = side(listeners, senders);
const listen = (s: net.Server): Promise<number> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));

const [senderPort, listenerPort] = await Promise.all([listen(senderServer), listen(listenerServer)]);
process.send?.({ type: 'ready', senderPort, listenerPort });
process.on('message', (m: { type: string }) => {
  if (m.type !== 'cpu') return;
  const u = process.cpuUsage();
  process.send?.({ type: 'cpu', micros: u.user + u.system });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
