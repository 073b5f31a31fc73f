/**
 * Issue 18: a send relayed from its received header block (raw.ts) says exactly what the same
 * send relayed from its decoded headers says (relayHeaders, then the encoder).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Header } from '../../protocol/index.js';
import { relayHeaders, type HopState } from '../../router/visited.js';
import { FrameBatch } from './encode.js';
import { FrameDecoder, type CommandFrame, type Frame, type RawHeaders } from './index.js';

interface Got {
  frame: CommandFrame;
  raw: RawHeaders | undefined;
}

function decode(bytes: Buffer): Got[] {
  const out: Got[] = [];
  const decoder: FrameDecoder = new FrameDecoder({
    onFrame: (f: Frame) => {
      if (f.kind === 'command') out.push({ frame: f, raw: decoder.lastRaw });
    },
    onFrameError: (e) => {
      throw new Error(e.reason);
    },
  });
  decoder.push(bytes);
  return out;
}

const NAMES = [
  'Sender',
  'Inbox',
  'Visited',
  'Max-Forwards',
  'Astrength',
  'AStrength',
  'Message-ID',
  'X-Other',
  'visited',
  'Orig-Sender',
];
const value = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/);
const line = fc.record({
  name: fc.constantFrom(...NAMES),
  value,
  lead: fc.constantFrom('', ' ', '  ', '\t'),
  trail: fc.constantFrom('', ' '),
  fold: fc.nat(9).map((n) => n === 0),
});

describe('issue 18: relaying a send as its received octets', () => {
  it('gives the frame the decoded headers give, for any header block', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.uint8Array({ maxLength: 40 }), (lines, payload) => {
        let head = '>a7 send\r\n';
        for (const l of lines)
          head += `${l.name}:${l.lead}${l.value}${l.trail}\r\n` + (l.fold ? ` more\r\n` : '');
        head += `Content-Length: ${payload.length}\r\n\r\n`;
        const got = decode(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
        expect(got).toHaveLength(1);
        const { frame, raw } = got[0]!;
        const folded = lines.some((l) => l.fold);
        const twice = ['Visited', 'Max-Forwards', 'Astrength'].some(
          (n) =>
            lines.filter((l) => l.name === n || (n === 'Astrength' && l.name === 'AStrength')).length > 1,
        );
        expect(raw === undefined).toBe(folded || twice);
        if (raw === undefined) return;
        const hops: HopState = { visited: 'a.example gw.test', maxForwards: '17' };
        const given = frame.headers.some((h) => h[0] === 'Message-ID');
        const rewrite = { ...hops, strength: 'weak', messageId: given ? undefined : 'm-1' };
        const expected: Header[] = relayHeaders(frame.headers, hops, 'weak');
        if (!given) expected.push(['Message-ID', 'm-1']);
        const viaHeaders = new FrameBatch().command('b3', 'send', expected, frame.payload).take()!;
        const viaOctets = new FrameBatch().relayed('b3', 'send', raw, rewrite, frame.payload!).take()!;
        const [a] = decode(viaHeaders);
        const [b] = decode(viaOctets);
        expect(b!.frame).toEqual(a!.frame);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps no block for a send split across reads, or for other commands', () => {
    const text = '>1 send\r\nSender: im:a@x.test\r\nInbox: im:b@x.test\r\nContent-Length: 2\r\n\r\nhi';
    const raws: (RawHeaders | undefined)[] = [];
    const decoder: FrameDecoder = new FrameDecoder({
      onFrame: () => void raws.push(decoder.lastRaw),
      onFrameError: () => undefined,
    });
    decoder.push(Buffer.from(text.slice(0, 30)));
    decoder.push(Buffer.from(text.slice(30)));
    decoder.push(Buffer.from('>2 listen\r\nInbox: im:b@x.test\r\n\r\n'));
    decoder.push(Buffer.from(text));
    expect(raws.map((r) => r !== undefined)).toEqual([false, false, true]);
  });
});
