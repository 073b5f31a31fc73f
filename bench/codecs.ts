/**
 * Codecs: Message/CPIM parse and serialize, PIDF parse and IMTP frame decode, in messages/s and
 * MB/s for a chat line, 1 KB and 64 KB inputs. Baselines (the floor any implementation pays):
 * - frame decode and CPIM parse: splitting the same octets on CRLF with Buffer.indexOf;
 * - CPIM serialize: copying the same octets once;
 * - PIDF parse: the XML parser underneath (saxes, same options) alone on the same document.
 */
import { SaxesParser } from 'saxes';
import { buildCpim, parseCpim, serializeCpim, type CpimMessage } from '../src/codec/cpim/index.js';
import { buildPidf, parsePidf } from '../src/codec/pidf/index.js';
import { encodeCommand } from '../src/hub/frame/encode.js';
import { FrameDecoder, type Frame } from '../src/hub/frame/index.js';
import { bestOfPairs } from './lib/measure.js';
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';

type Size = 'small' | 'medium' | 'large';
const SIZES: readonly Size[] = ['small', 'medium', 'large'];

/** Text of about `n` octets in lines of 70 characters plus CRLF. */
export function textOfSize(n: number, seed = 'the quick brown fox jumps over the lazy dog; '): string {
  let out = '';
  let line = '';
  while (out.length + line.length < n) {
    line += seed;
    if (line.length >= 70) {
      out += line.slice(0, 70) + '\r\n';
      line = '';
    }
  }
  return (out + line).slice(0, n);
}

const BODY: Record<Size, string> = {
  small: 'hi bob, are you coming to the meeting?',
  medium: textOfSize(1024),
  large: textOfSize(64 * 1024),
};

export function cpimOf(size: Size): Buffer {
  return buildCpim({
    from: { formalName: 'Alice', uri: 'im:alice@gw.test' },
    to: [{ formalName: 'Bob', uri: 'im:bob@gw.test' }],
    dateTime: '2024-05-01T12:00:00Z',
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: BODY[size],
  });
}

export function pidfOf(size: Size): Buffer {
  const tuples = (n: number, noteLength: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `t${i}`,
      basic: i % 2 === 0 ? ('open' as const) : ('closed' as const),
      contact: `im:alice${i}@gw.test`,
      priority: 0.5,
      timestamp: '2024-05-01T12:00:00Z',
      notes:
        noteLength > 0
          ? [{ lang: null, text: textOfSize(noteLength, 'in a meeting until four, then free ') }]
          : [],
    }));
  const input =
    size === 'small'
      ? {
          entity: 'pres:alice@gw.test',
          tuples: [{ id: 't1', basic: 'open' as const, contact: 'im:alice@gw.test' }],
        }
      : size === 'medium'
        ? { entity: 'pres:alice@gw.test', tuples: tuples(4, 80) }
        : { entity: 'pres:alice@gw.test', tuples: tuples(220, 80) };
  return Buffer.from(buildPidf(input));
}

/** `count` IMTP send frames whose payloads are the CPIM message of `size`, back to back. */
export function frameStream(size: Size, minBytes: number): { bytes: Buffer; frames: number } {
  const payload = size === 'small' ? Buffer.from(BODY.small) : cpimOf(size);
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; total < minBytes || parts.length < 16; i++) {
    const f = encodeCommand(
      String(i + 1),
      'send',
      [
        ['Sender', 'im:alice@gw.test'],
        ['Inbox', 'im:bob@gw.test'],
      ],
      payload,
    );
    parts.push(f);
    total += f.length;
  }
  return { bytes: Buffer.concat(parts), frames: parts.length };
}

/** Splits a buffer into socket-sized chunks (64 KiB, what a loopback read delivers). */
export function chunks(bytes: Buffer, size = 65536): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return out;
}

/** The baseline of every line protocol: find each LF with Buffer.indexOf. Returns the line count. */
export function splitLines(chunk: Buffer): number {
  let lines = 0;
  let pos = 0;
  for (;;) {
    const lf = chunk.indexOf(10, pos);
    if (lf === -1) return lines;
    lines++;
    pos = lf + 1;
  }
}

function rates(perSecond: number, bytesPerOp: number): Figure[] {
  return [
    { name: 'rate', value: perSecond, unit: 'msg/s' },
    { name: 'throughput', value: (perSecond * bytesPerOp) / 1e6, unit: 'MB/s' },
  ];
}

/** `measured` against `baseline` (best of paired runs), as rates over `bytes` octets an operation. */
function paired(
  label: string,
  measured: () => unknown,
  baselineName: string,
  baseline: () => unknown,
  bytes: number,
  ms: number,
): Entry {
  const r = bestOfPairs(measured, baseline, ms);
  return entry(label, rates(r.measured, bytes), { name: baselineName, figures: rates(r.baseline, bytes) });
}

export function saxesAlone(bytes: Buffer): void {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const sax = new SaxesParser({ xmlns: true, position: true });
  sax.write(text).close();
}

export const codecs: Benchmark = {
  name: 'codecs',
  description: 'CPIM parse/serialize, PIDF parse, IMTP frame decode (msg/s, MB/s)',
  async run(ctx: BenchContext): Promise<Entry[]> {
    const ms = ctx.quick ? 100 : 600;
    const out: Entry[] = [];
    for (const size of SIZES) {
      ctx.progress(`codecs: ${size}`);
      // IMTP frame decode over a stream of frames cut into 64 KiB reads.
      const stream = frameStream(size, ctx.quick ? 256 * 1024 : 1024 * 1024);
      const pieces = chunks(stream.bytes);
      let seen = 0;
      const decoder = (): FrameDecoder =>
        new FrameDecoder({
          onFrame: (f: Frame) => {
            if (f.kind === 'command') seen++;
          },
          onFrameError: (e) => {
            throw new Error(`frame error in the benchmark stream: ${e.reason}`);
          },
        });
      const decode = bestOfPairs(
        () => {
          const d = decoder();
          for (const c of pieces) d.push(c);
          d.end();
        },
        () => {
          let n = 0;
          for (const c of pieces) n += splitLines(c);
          return n;
        },
        ms,
      );
      if (seen === 0) throw new Error('the frame decoder saw no frames');
      const perFrame = stream.bytes.length / stream.frames;
      out.push(
        entry(
          `frame decode ${size} (${Math.round(perFrame)} B/frame)`,
          rates(decode.measured * stream.frames, perFrame),
          {
            name: 'CRLF split with Buffer.indexOf',
            figures: rates(decode.baseline * stream.frames, perFrame),
          },
        ),
      );

      // Message/CPIM parse and serialize (octets unchanged).
      const cpim = cpimOf(size);
      const parsed = parseCpim(cpim);
      if (parsed.result === 'reject') throw new Error(`benchmark CPIM rejected: ${parsed.reason}`);
      const message: CpimMessage = parsed.message;
      out.push(
        paired(
          `cpim parse ${size} (${cpim.length} B)`,
          () => parseCpim(cpim),
          'CRLF split with Buffer.indexOf',
          () => splitLines(cpim),
          cpim.length,
          ms,
        ),
        paired(
          `cpim serialize ${size}`,
          () => serializeCpim(message),
          'one copy of the octets (Buffer.from)',
          () => Buffer.from(cpim),
          cpim.length,
          ms,
        ),
      );

      // PIDF parse against saxes alone.
      const pidf = pidfOf(size);
      const check = parsePidf(pidf);
      if (check.document.tuples.length === 0) throw new Error('benchmark PIDF has no tuples');
      out.push(
        paired(
          `pidf parse ${size} (${pidf.length} B)`,
          () => parsePidf(pidf),
          'saxes alone (UTF-8 decode + xmlns, positions)',
          () => saxesAlone(pidf),
          pidf.length,
          ms,
        ),
      );
    }
    return out;
  },
};
