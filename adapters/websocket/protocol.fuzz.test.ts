// Fuzzing the web chat client frame reader (adapters/websocket/README.md, protocol version 1;
// issue 13 "Fuzzing in CI"): arbitrary text, JSON-ish token soup, mutated valid frames, deep
// nesting and hostile keys. The property: a frame, or an error frame that is itself a valid
// server frame with a short message (it goes back to the page), never an exception; and every
// valid frame reads back as itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../test/support/fuzz.js';
import { clientFrame, errorFrame, readClientFrame, type ClientFrame } from './protocol.js';

/** An error frame goes back to the page: it names the problem, it does not echo the input. */
const MAX_ERROR_MESSAGE = 400;

const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
const text = fc.string({ minLength: 1, maxLength: 40 });
const frameArb: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record({
    type: fc.constant('auth' as const),
    v: fc.integer(),
    token: fc.string({ minLength: 1, maxLength: 60 }),
  }),
  fc.oneof(
    fc.record({
      type: fc.constant('send' as const),
      id,
      to: fc.string({ minLength: 1, maxLength: 60 }),
      text,
    }),
    fc.record({
      type: fc.constant('send' as const),
      id,
      room: fc.string({ minLength: 1, maxLength: 32 }),
      text,
    }),
  ),
  fc.record({
    type: fc.constantFrom('join' as const, 'leave' as const),
    id,
    room: fc.string({ minLength: 1, maxLength: 32 }),
  }),
  fc.record(
    {
      type: fc.constant('presence' as const),
      id,
      state: fc.constantFrom('online' as const, 'idle' as const, 'away' as const),
      note: text,
    },
    { requiredKeys: ['type', 'id', 'state'] },
  ),
  fc.record({
    type: fc.constantFrom('watch' as const, 'unwatch' as const),
    id,
    who: fc.string({ minLength: 1, maxLength: 60 }),
  }),
  fc.record({ type: fc.constant('ack' as const), delivery: fc.string({ minLength: 1, maxLength: 64 }) }),
);

const VALID = [
  '{"type":"auth","v":1,"token":"abc"}',
  '{"type":"send","id":"1","to":"bob","text":"hi"}',
  '{"type":"send","id":"2","room":"dev","text":"hi"}',
  '{"type":"join","id":"3","room":"dev"}',
  '{"type":"presence","id":"4","state":"away","note":"lunch"}',
  '{"type":"watch","id":"5","who":"im:carol@irc.example.org"}',
  '{"type":"ack","delivery":"d1"}',
].map((s) => Buffer.from(s));

const JSON_TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"type"',
  '"send"',
  '"auth"',
  '"id"',
  '"__proto__"',
  '"constructor"',
  '"text"',
  '"room"',
  '"to"',
  '"v"',
  '1e999',
  '-0',
  '9007199254740993',
  'null',
  'true',
  '"\\u0000"',
  '"\\ud800"',
  '"x"',
];

function check(input: string): void {
  const r = readClientFrame(input);
  if (r.ok) {
    expect(clientFrame.safeParse(r.frame).success).toBe(true);
    return;
  }
  expect(errorFrame.safeParse(r.error).success).toBe(true);
  expect(r.error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
  if (r.error.path !== undefined) expect(r.error.path.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
}

describe('web chat frame reader fuzz', () => {
  it(
    'arbitrary text, token soup and mutated frames: a frame or a valid, short error frame',
    () => {
      fuzz(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 200 }),
            tokenSoup(JSON_TOKENS).map((b) => b.toString('utf8')),
            mutatedFrom(VALID, 4).map((b) => b.toString('utf8')),
          ),
          check,
        ),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'deep nesting, many or long keys, long values: a valid, short error frame',
    () => {
      const hostile = fc.oneof(
        fc.integer({ min: 1, max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
        fc.integer({ min: 1, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
        fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 300 })).map(([n, len]) => {
          const o: Record<string, unknown> = { type: 'join', id: '1', room: 'dev' };
          for (let i = 0; i < n; i++) o[`k${i}`.padEnd(len, 'x')] = i;
          return JSON.stringify(o);
        }),
        fc
          .tuple(fc.constantFrom('type', 'id', 'room', 'who', 'token'), fc.integer({ min: 0, max: 200_000 }))
          .map(([key, n]) => JSON.stringify({ type: 'watch', id: '1', who: 'bob', [key]: 'y'.repeat(n) })),
        fc.integer({ min: 100, max: 100_000 }).map((n) => `{"type":"${'t'.repeat(n)}"}`),
        fc.integer({ min: 100, max: 100_000 }).map((n) => 'x'.repeat(n)),
      );
      fuzz(fc.property(hostile, check), 0.3);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'every valid frame reads back as itself',
    () => {
      fuzz(
        fc.property(frameArb, (frame) => {
          const r = readClientFrame(JSON.stringify(frame));
          expect(r).toEqual({ ok: true, frame });
        }),
      );
    },
    FUZZ_TIMEOUT,
  );
});

// Regression found by this file. Minimal counterexample: five unknown keys of 74 characters made
// a 402-character error message; any number of keys of any length came back whole.
describe('web chat frame reader: error frames stay short', () => {
  it('names at most five unknown fields, each clipped', () => {
    const o: Record<string, unknown> = { type: 'join', id: '1', room: 'dev' };
    for (let i = 0; i < 7; i++) o[`k${i}`.padEnd(74, 'x')] = i;
    const r = readClientFrame(JSON.stringify(o));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toMatch(/^join: unknown field\(s\): k0x+…, k1x+…, .* and 2 more$/);
    expect(r.error.message.length).toBeLessThanOrEqual(300);
  });
});
