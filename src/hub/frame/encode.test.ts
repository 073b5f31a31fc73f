import fc from 'fast-check';
import type { Header } from '../../protocol/index.js';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../errors.js';
import { decodeAll, FrameDecoder, type Frame } from './index.js';
import {
  encodeCommand,
  encodeFrame,
  encodeFrames,
  encodeMech,
  encodeNop,
  encodeResponse,
  FrameBatch,
} from './encode.js';

describe('encoder', () => {
  it('writes the draft §10 shapes and Content-Length from the payload', () => {
    expect(encodeCommand('7', 'send', [['Sender', 'im:joe@example.net']], Buffer.from('hi')).toString()).toBe(
      '>7 send\r\nSender: im:joe@example.net\r\nContent-Length: 2\r\n\r\nhi',
    );
    expect(
      encodeResponse('7', 'error', 'send', [
        ['Error-Type', 'loop'],
        ['Abort', ''],
      ]).toString(),
    ).toBe('<7 error (send)\r\nError-Type: loop\r\nAbort:\r\n\r\n');
    expect(encodeResponse('1', 'ok', 'auth', [], new Uint8Array(0)).toString()).toBe(
      '<1 ok (auth)\r\nContent-Length: 0\r\n\r\n',
    );
    expect(encodeMech(['PLAIN', 'GSSAPI']).toString()).toBe('=mech PLAIN GSSAPI\r\n');
    expect(encodeMech([]).toString()).toBe('=mech\r\n');
    expect(encodeNop().toString()).toBe('=nop\r\n');
  });

  it('writes UTF-8 header values', () => {
    const bytes = encodeCommand('1', 'send', [['X', 'é \u{1f600}']]);
    expect(bytes.toString('utf8')).toBe('>1 send\r\nX: é \u{1f600}\r\n\r\n');
  });

  const injections: [string, () => unknown][] = [
    ['CRLF in an id', () => encodeCommand('1\r\n>2', 'send', [])],
    ['a space in an id', () => encodeCommand('1 2', 'send', [])],
    ['an empty id', () => encodeCommand('', 'send', [])],
    ['CRLF in a method', () => encodeCommand('1', 'send\r\n>2 shutdown', [])],
    ['NUL in a method', () => encodeResponse('1', 'ok', 'se\0nd', [])],
    ['a bad status', () => encodeResponse('1', 'maybe' as 'ok', 'send', [])],
    ['LF in a header name', () => encodeCommand('1', 'send', [['A\nB', 'x']])],
    ['a colon in a header name', () => encodeCommand('1', 'send', [['A:B', 'x']])],
    ['an empty header name', () => encodeCommand('1', 'send', [['', 'x']])],
    ['CR in a value', () => encodeCommand('1', 'send', [['A', 'x\ry']])],
    ['LF in a value', () => encodeCommand('1', 'send', [['A', 'x\n\r\n>2 shutdown']])],
    ['CRLFCRLF in a value', () => encodeCommand('1', 'send', [['A', '\r\n\r\n']])],
    ['NUL in a value', () => encodeCommand('1', 'send', [['A', 'x\0']])],
    ['a lone surrogate in a value', () => encodeCommand('1', 'send', [['A', 'x\ud800']])],
    ['a caller-made Content-Length', () => encodeCommand('1', 'send', [['Content-Length', '0']])],
    [
      'Content-Transfer-Encoding',
      () => encodeCommand('1', 'send', [['Content-Transfer-Encoding', 'base64']]),
    ],
    ['a mechanism with a space', () => encodeMech(['PLAIN GSSAPI'])],
    ['a mechanism with CRLF', () => encodeMech(['PLAIN\r\n>1 shutdown'])],
    ['injection through a batch', () => new FrameBatch().response('1', 'ok', 'send', [['A', '\r\n']])],
  ];
  for (const [what, f] of injections) {
    it(`refuses ${what}`, () => {
      expect(f).toThrow(CodecError);
    });
  }

  it('a batch is the concatenation of the single encodings', () => {
    const frames: Frame[] = [
      { kind: 'mech', mechanisms: ['PLAIN'] },
      { kind: 'command', id: '1', method: 'send', headers: [['A', 'b']], payload: Buffer.from('x\r\n') },
      { kind: 'nop' },
      { kind: 'response', id: '2', status: 'ok', method: 'fetch', headers: [], payload: undefined },
      { kind: 'response', id: '3', status: 'ok', method: 'fetch', headers: [], payload: Buffer.alloc(0) },
    ];
    const batch = new FrameBatch();
    for (const f of frames) batch.frame(f);
    expect(batch.count).toBe(5);
    const bytes = batch.take()!;
    expect(bytes).toEqual(Buffer.concat(frames.map(encodeFrame)));
    expect(batch.take()).toBeNull();
    expect(encodeFrames(frames)).toEqual(bytes);
  });

  it('grows past its first buffer, keeps taken bytes intact and writes nothing for a refused frame', () => {
    const frames: Frame[] = [];
    for (let i = 0; i < 200; i++)
      frames.push({
        kind: 'command',
        id: `c${i}`,
        method: 'send',
        headers: [
          ['Sender', 'im:joé@example.net'],
          ['X-Text', '日本 \u{1f600}\t'],
          ['Empty', ''],
        ],
        payload: i % 3 === 0 ? undefined : Buffer.alloc(i * 7, i),
      });
    const batch = new FrameBatch();
    for (const f of frames) {
      batch.frame(f);
      expect(() => batch.command('z', 'send', [['A', 'b\r\n>1 send']])).toThrow(CodecError);
    }
    const first = batch.take()!;
    const copy = Buffer.from(first);
    expect(first).toEqual(Buffer.concat(frames.map(encodeFrame)));
    batch.nop().command('9', 'send', [['A', 'x'.repeat(5000)]], Buffer.alloc(3000, 1));
    expect(batch.take()).toEqual(
      Buffer.concat([
        encodeNop(),
        encodeCommand('9', 'send', [['A', 'x'.repeat(5000)]], Buffer.alloc(3000, 1)),
      ]),
    );
    expect(first).toEqual(copy);
  });
});

// --- Property tests ------------------------------------------------------------------------

const alnum = fc.constantFrom(...'abcXYZ0129');
const id = fc.string({ unit: alnum, minLength: 1, maxLength: 8 });
const method = fc.string({ unit: fc.constantFrom(...'abcz09-'), minLength: 1, maxLength: 12 });
const nameChar = fc
  .integer({ min: 0x21, max: 0x7e })
  .filter((c) => c !== 0x3a)
  .map((c) => String.fromCharCode(c));
const headerName = fc
  .string({ unit: nameChar, minLength: 1, maxLength: 12 })
  .filter((n) => n !== 'Content-Length' && n !== 'Content-Transfer-Encoding');
const valueUnit = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\t', 'é', '\u00a0', '\ufffd', '\u{1f600}', '日'),
);
const headerValue = fc
  .string({ unit: valueUnit, maxLength: 20 })
  .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }) as fc.Arbitrary<Header[]>;
const payload = fc.option(fc.uint8Array({ maxLength: 80 }), { nil: undefined });

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ kind: fc.constant('command' as const), id, method, headers, payload }),
  fc.record({
    kind: fc.constant('response' as const),
    id,
    status: fc.constantFrom('ok' as const, 'error' as const),
    method,
    headers,
    payload,
  }),
  fc.record({
    kind: fc.constant('mech' as const),
    mechanisms: fc.array(fc.string({ unit: fc.constantFrom(...'AZ09-_'), minLength: 1, maxLength: 20 }), {
      maxLength: 4,
    }),
  }),
  fc.constant({ kind: 'nop' as const }),
);

function normal(frames: Frame[]): unknown {
  return frames.map((f) =>
    'payload' in f && f.payload !== undefined ? { ...f, payload: [...f.payload] } : f,
  );
}

describe('properties', () => {
  it('decode(encode(frames)) gives the frames back', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), (frames) => {
        const { frames: back, errors } = decodeAll(encodeFrames(frames));
        expect(errors).toEqual([]);
        expect(normal(back)).toEqual(normal(frames));
      }),
      { numRuns: 300 },
    );
  });

  it('any split of the stream into pieces decodes the same', () => {
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (frames, cuts) => {
          const bytes = encodeFrames(frames);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const pieces: Uint8Array[] = [];
          let last = 0;
          for (const p of points) {
            pieces.push(bytes.subarray(last, p));
            last = p;
          }
          pieces.push(bytes.subarray(last));
          const got: Frame[] = [];
          const errors: unknown[] = [];
          const d = new FrameDecoder({ onFrame: (f) => got.push(f), onFrameError: (e) => errors.push(e) });
          for (const p of pieces) d.push(p);
          d.end();
          expect(errors).toEqual([]);
          expect(normal(got)).toEqual(normal(frames));
        },
      ),
      { numRuns: 300 },
    );
  });
});
