import { describe, expect, it } from 'vitest';
import { parseCpim, type CpimPayload } from '../../src/index.js';
import { buildInboundPayload, InboundPayloadBuilder } from './body.js';
import { DEFAULT_SERVER_INFO, ircToAddress } from './translate.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'hello',
  ' ',
  'world',
  'é',
  'ünïcödé',
  '日本語',
  '😀',
  '\u{1F680}',
  '\ud800', // lone high surrogate
  '\udc00', // lone low surrogate
  '\x02bold\x02',
  '\x0304,12colour\x03',
  '\x1ditalic',
  '\x0f',
  '\x16',
  '\x11',
  '\x1e',
  '\x1f',
  '\x04ff0000',
  '\t',
  '\x01',
  '\x7f',
  '"quoted"',
  '<>',
  '\\',
  '--irc-alt',
  '',
];

describe('InboundPayloadBuilder', () => {
  it('writes exactly what buildInboundPayload writes, over random inputs', () => {
    const r = rng(20261121);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const nicks = ['alice', 'Bob', 'c[a]r{o}l', 'dave^', 'e~ve', 'x-y_z', 'Ünï', 'a b'];
    const chans = ['#dev', '#Chan', '&local', '#ünï', '#a%b', '#[x]'];
    const builder = new InboundPayloadBuilder();
    const base = Date.UTC(2026, 10, 21, 18, 0, 0);
    let fastChecked = 0;
    let withFacts = 0;
    for (let i = 0; i < 5000; i++) {
      let from: string;
      let to: string;
      try {
        from = ircToAddress(pick(nicks), 'irc.example.org', DEFAULT_SERVER_INFO).uri;
        to = ircToAddress(pick(chans), 'irc.example.org', DEFAULT_SERVER_INFO).uri;
      } catch {
        continue;
      }
      if (r() < 0.05) from = pick(['im:a@b', 'im:bad uri@x', 'not a uri', 'im:%zz@irc.example.org']);
      let text = '';
      const n = Math.floor(r() * 8);
      for (let k = 0; k < n; k++) text += r() < 0.7 ? pick(PIECES.slice(0, 8)) : pick(PIECES);
      const ms = pick([
        base + Math.floor(r() * 5000),
        base + r() * 5000,
        base - 3_000_000 * r(),
        NaN,
        Infinity,
        8.64e15 + 1,
        -62198755200000 - 1000 * r(),
        253402300800000 + 1000,
        -0.5,
      ]);
      let slow: Uint8Array | Error;
      let fast: Uint8Array | Error;
      try {
        slow = buildInboundPayload({ from, to, text, date: new Date(ms) });
      } catch (e) {
        slow = e as Error;
      }
      try {
        fast = builder.build(from, to, text, ms);
      } catch (e) {
        fast = e as Error;
      }
      if (slow instanceof Error) {
        expect(fast).toBeInstanceOf(Error);
        expect((fast as Error).message).toBe(slow.message);
      } else {
        expect(fast).not.toBeInstanceOf(Error);
        expect(Buffer.from(fast as Uint8Array).equals(Buffer.from(slow))).toBe(true);
        fastChecked++;
        // Facts attached for readers in the process are what parseCpim reads.
        const f = (fast as CpimPayload).cpimFacts;
        if (f !== undefined) {
          const r = parseCpim(slow, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
          expect(r.result).not.toBe('reject');
          const m = r.message!;
          expect(f.from).toBe(m.semantics.from?.uri);
          expect(f.dateTime).toBe(m.semantics.datetime);
          expect(f.contentType).toBe(
            m.contentHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value,
          );
          expect(f.text).toBe(Buffer.from(m.body).toString('utf8'));
          withFacts++;
        }
      }
    }
    expect(fastChecked).toBeGreaterThan(1500);
    expect(withFacts).toBeGreaterThan(1000);
  });
});
