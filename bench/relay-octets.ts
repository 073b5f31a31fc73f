/**
 * Issue 18, measured alone: a relayed send's header block and encode, from decoded headers
 * (relayHeaders + FrameBatch.command, the path before) and from the received octets
 * (FrameBatch.relayed, frame/raw.ts). `npx tsx bench/relay-octets.ts [rounds]`: median ns per
 * frame over alternating rounds.
 */
import { FrameBatch } from '../src/hub/frame/encode.js';
import { FrameDecoder, type CommandFrame, type RawHeaders } from '../src/hub/frame/index.js';
import { checkHops, relayHeaders } from '../src/router/visited.js';

const text =
  '>a1 send\r\nSender: im:alice@gw.test\r\nInbox: im:bob@gw.test\r\nContent-Length: 20\r\n\r\n01234567890123456789';
let frame: CommandFrame | undefined;
let raw: RawHeaders | undefined;
const decoder: FrameDecoder = new FrameDecoder({
  onFrame: (f) => {
    if (f.kind === 'command') {
      frame = f;
      raw = decoder.lastRaw;
    }
  },
  onFrameError: (e) => {
    throw new Error(e.reason);
  },
});
decoder.push(Buffer.from(text, 'latin1'));
const f = frame!;
const r = raw!;
const N = 200_000;
const rounds = Number(process.argv[2] ?? 9);

function viaHeaders(batch: FrameBatch): void {
  for (let i = 0; i < N; i++) {
    const hops = checkHops(f.headers, 'gw.test', 16);
    const h = relayHeaders(f.headers, hops, 'strong');
    h.push(['Message-ID', 'msg-0123456789abcdef']);
    batch.command('b' + (i & 1023).toString(36), 'send', h, f.payload);
    if ((i & 255) === 255) batch.take();
  }
}

function viaOctets(batch: FrameBatch): void {
  for (let i = 0; i < N; i++) {
    const hops = checkHops(f.headers, 'gw.test', 16);
    const w = {
      visited: hops.visited,
      maxForwards: hops.maxForwards,
      strength: 'strong',
      messageId: 'msg-0123456789abcdef',
    };
    batch.relayed('b' + (i & 1023).toString(36), 'send', r, w, f.payload!);
    if ((i & 255) === 255) batch.take();
  }
}

function time(fn: (b: FrameBatch) => void): number {
  const b = new FrameBatch();
  const t0 = process.cpuUsage();
  fn(b);
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) * 1000) / N;
}

const a: number[] = [];
const o: number[] = [];
for (let k = 0; k < rounds; k++) {
  a.push(time(viaHeaders));
  o.push(time(viaOctets));
}
const med = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1]!;
console.log(
  `relay encode, decoded headers: median ${med(a).toFixed(0)} ns/frame (${a.map((x) => x.toFixed(0)).join(' ')})`,
);
console.log(
  `relay encode, received octets: median ${med(o).toFixed(0)} ns/frame (${o.map((x) => x.toFixed(0)).join(' ')})`,
);
