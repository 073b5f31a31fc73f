// Fuzzing the incremental IMTP/PITP frame decoder (draft-hudson-impp-transfer-proposal-01 §10;
// issue 13 "Fuzzing in CI"). decode(encode(x)) and "any split of valid frames" are in
// encode.test.ts; here the input is hostile: random octets, token soup and mutated transcripts.
// Properties: the decoder never throws, every problem is a FrameError (fatal ones stop it),
// what it holds between pushes stays within one line or one payload (docs/hub-protocol.md part 4
// row 26), and feeding the same octets in any pieces gives the same frames and errors.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutsArb, fuzz, FUZZ_TIMEOUT, mutatedFrom, splitAt, tokenSoup } from '../../../test/support/fuzz.js';
import { parseTranscript, sideBytes } from '../../../test/support/transcript.js';
import { DEFAULT_FRAME_LIMITS, FrameDecoder, type FrameLimits } from './decode.js';
import type { Frame, FrameError } from './index.js';

const dir = new URL('../../../test/transcripts/', import.meta.url);
const TRANSCRIPT_BYTES = readdirSync(dir)
  .filter((f) => /\.(imtp|pitp)$/.test(f))
  .map((f) => parseTranscript(f, readFileSync(new URL(f, dir), 'utf8')))
  .flatMap((t) => [sideBytes(t, 'C'), sideBytes(t, 'S')])
  .filter((b) => b.length > 0);

/** Small limits, so that mutated transcripts hit every limit often. */
const SMALL: FrameLimits = {
  maxLineLength: 48,
  maxHeaderCount: 3,
  maxHeaderBytes: 160,
  maxPayloadSize: 40,
  maxIdLength: 6,
};

const TOKENS = [
  '>',
  '<',
  '=',
  '=nop',
  '=mech PLAIN',
  '=mec8',
  '>1 send',
  '<1 ok (send)',
  '<1 error malformed (send)',
  '\r\n',
  '\r\n\r\n',
  'Content-Length: ',
  'Content-Length: 5',
  'Content-Length: 999999999999999',
  'Content-Transfer-Encoding: 8bit',
  'Inbox: im:a@b.c',
  ' folded',
  ':',
  '0',
  '7',
];

const inputArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
  tokenSoup(TOKENS),
  mutatedFrom(TRANSCRIPT_BYTES, 6),
);

interface Outcome {
  readonly events: unknown[];
  readonly maxBuffered: number;
  readonly stopped: boolean;
}

function plain(frame: Frame): unknown {
  return 'payload' in frame && frame.payload !== undefined
    ? { ...frame, payload: [...frame.payload] }
    : frame;
}

function checkError(e: FrameError): void {
  expect(typeof e.reason).toBe('string');
  expect(e.reason.length).toBeGreaterThan(0);
  expect(e.rule.length).toBeGreaterThan(0);
  expect(e.fatal).toBe(e.answer === 'close');
  expect(e.line).toBeGreaterThanOrEqual(0);
  expect(e.offset).toBeGreaterThanOrEqual(0);
}

/** Feeds the pieces, then ends the stream; records every frame and error. */
function run(pieces: readonly Uint8Array[], limits: FrameLimits): Outcome {
  const events: unknown[] = [];
  let fatalSeen = false;
  const d = new FrameDecoder(
    {
      onFrame: (f) => {
        expect(fatalSeen).toBe(false);
        events.push(plain(f));
      },
      onFrameError: (e) => {
        expect(fatalSeen).toBe(false);
        checkError(e);
        fatalSeen = e.fatal;
        events.push({ error: e });
      },
    },
    limits,
  );
  let maxBuffered = 0;
  for (const p of pieces) {
    d.push(p);
    maxBuffered = Math.max(maxBuffered, d.buffered);
  }
  d.end();
  expect(d.stopped).toBe(true);
  return { events, maxBuffered, stopped: fatalSeen };
}

function checkOne(bytes: Uint8Array, cuts: readonly number[], limits: FrameLimits): void {
  const whole = run([bytes], limits);
  const pieces = run(splitAt(bytes, cuts), limits);
  // Incremental decoding: the pieces give exactly what the whole gives (draft §10 has no
  // notion of packets; TCP may cut anywhere).
  expect(pieces.events).toEqual(whole.events);
  // Memory stays bounded: one incomplete line (+CR) or one incomplete payload at most.
  const bound = Math.max(limits.maxLineLength + 1, limits.maxPayloadSize);
  expect(whole.maxBuffered).toBeLessThanOrEqual(bound);
  expect(pieces.maxBuffered).toBeLessThanOrEqual(bound);
}

describe('IMTP/PITP frame decoder fuzz', () => {
  it(
    'hostile octets with small limits: FrameErrors only, same result in any pieces, bounded buffer',
    () => {
      fuzz(fc.property(inputArb, cutsArb, (bytes, cuts) => checkOne(bytes, cuts, SMALL)));
    },
    FUZZ_TIMEOUT,
  );

  it(
    'hostile octets with the default limits',
    () => {
      fuzz(fc.property(inputArb, cutsArb, (bytes, cuts) => checkOne(bytes, cuts, DEFAULT_FRAME_LIMITS)));
    },
    FUZZ_TIMEOUT,
  );

  it(
    'a declared length of 2^53 or more is refused at once and never allocated',
    () => {
      const huge = fc.constantFrom(
        '9007199254740993',
        '999999999999999',
        '18446744073709551616',
        '1'.repeat(400),
        '0'.repeat(20) + '5',
      );
      fuzz(
        fc.property(huge, fc.nat(200), (length, extra) => {
          const head = Buffer.from(`>1 send\r\nContent-Length: ${length}\r\n\r\n`);
          const events: FrameError[] = [];
          const d = new FrameDecoder({ onFrame: () => undefined, onFrameError: (e) => events.push(e) });
          d.push(head);
          d.push(Buffer.alloc(extra, 0x61));
          expect(events.length).toBe(1);
          expect(events[0]!.fatal).toBe(true);
          expect(d.buffered).toBe(0);
        }),
        0.2,
      );
    },
    FUZZ_TIMEOUT,
  );
});
