import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTranscript, sideBytes } from '../../../test/support/transcript.js';
import { decodeAll, FrameDecoder, type Frame, type FrameError, type FrameLimits } from './index.js';
import { getHeader, getHeaders } from '../../protocol/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A comparable picture of decoder output (payloads as hex). */
function picture(events: (Frame | FrameError)[]): unknown[] {
  return events.map((e) =>
    'payload' in e && e.payload !== undefined
      ? { ...e, payload: Buffer.from(e.payload).toString('hex') }
      : { ...e },
  );
}

function decodeChunks(chunks: Uint8Array[], limits: Partial<FrameLimits> = {}): (Frame | FrameError)[] {
  const events: (Frame | FrameError)[] = [];
  const d = new FrameDecoder({ onFrame: (f) => events.push(f), onFrameError: (e) => events.push(e) }, limits);
  for (const c of chunks) d.push(c);
  d.end();
  return events;
}

describe('FrameDecoder: well-formed input', () => {
  it('decodes a command with headers in order, duplicates kept, Content-Length consumed', () => {
    const { frames, errors } = decodeAll(
      b(
        '>7 send\r\nSender: im:joe@example.net\r\nInbox: im:a@d.com\r\nInbox: im:b@d.com\r\nContent-Length: 18\r\n\r\nTesting, testing\r\n',
      ),
    );
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(1);
    const f = frames[0]!;
    expect(f.kind).toBe('command');
    if (f.kind !== 'command') return;
    expect(f.id).toBe('7');
    expect(f.method).toBe('send');
    expect(f.headers).toEqual([
      ['Sender', 'im:joe@example.net'],
      ['Inbox', 'im:a@d.com'],
      ['Inbox', 'im:b@d.com'],
    ]);
    expect(getHeader(f.headers, 'Inbox')).toBe('im:a@d.com');
    expect(getHeaders(f.headers, 'Inbox')).toEqual(['im:a@d.com', 'im:b@d.com']);
    expect(Buffer.from(f.payload!).toString()).toBe('Testing, testing\r\n');
  });

  it('decodes responses (status, *WSP before the parenthesis), =mech, =mec8 and =nop', () => {
    const { frames, errors } = decodeAll(
      b(
        '<12 ok (send)\r\nUnreliable: domain.com\r\n\r\n<x error(get-class)\r\n\r\n=mech PLAIN GSSAPI\r\n=mec8\r\n=nop\r\n',
      ),
    );
    expect(errors).toEqual([]);
    expect(frames).toEqual([
      {
        kind: 'response',
        id: '12',
        status: 'ok',
        method: 'send',
        headers: [['Unreliable', 'domain.com']],
        payload: undefined,
      },
      { kind: 'response', id: 'x', status: 'error', method: 'get-class', headers: [], payload: undefined },
      { kind: 'mech', mechanisms: ['PLAIN', 'GSSAPI'] },
      { kind: 'mech', mechanisms: [] },
      { kind: 'nop' },
    ]);
  });

  it('tells no payload (null) from an empty one (Content-Length: 0)', () => {
    const { frames } = decodeAll(b('>1 auth\r\nContent-Length: 0\r\n\r\n>2 auth\r\n\r\n'));
    expect(frames.map((f) => (f.kind === 'command' ? (f.payload?.length ?? null) : 'x'))).toEqual([0, null]);
  });

  it('unfolds continuation lines and trims only SP/HTAB', () => {
    const { frames } = decodeAll(
      b('>1 x\r\nA:  one\r\n \t two \r\nB:\r\n\tc\r\nC: \xc2\xa0u\xc2\xa0\r\n\r\n'),
    );
    const f = frames[0]!;
    expect(f.kind === 'command' && f.headers).toEqual([
      ['A', 'one \t two'],
      ['B', 'c'],
      ['C', '\u00a0u\u00a0'],
    ]);
  });

  it('slices payloads out of the pushed chunk without copying', () => {
    const chunk = b('>1 send\r\nContent-Length: 3\r\n\r\nabc');
    const events = decodeChunks([chunk]);
    const f = events[0] as Frame;
    expect(f.kind === 'command' && f.payload!.buffer).toBe(chunk.buffer);
  });

  it('accepts a Uint8Array that is not a Buffer', () => {
    const { frames } = decodeAll(new Uint8Array(b('=nop\r\n')));
    expect(frames).toEqual([{ kind: 'nop' }]);
  });
});

describe('FrameDecoder: recoverable errors (answer malformed, carry on)', () => {
  const cases: [string, string, RegExp][] = [
    ['Content-Transfer-Encoding', 'Content-Transfer-Encoding: base64\r\n', /Content-Transfer-Encoding/],
    ['a header without colon', 'Nonsense\r\n', /without ":"/],
    ['an invalid header name', 'Bad Name: x\r\n', /header name/],
    ['a control character', 'X: a\x01b\r\n', /control/],
    ['a bare CR in a value', 'X: a\rb\r\n', /control/],
    ['U+FFFF', 'X: \xef\xbf\xbf\r\n', /noncharacter/],
    ['ill-formed UTF-8', 'X: \xc3\x28\r\n', /UTF-8/],
    ['a fold before any header', ' folded\r\n', /continuation/],
    ['a bare LF', 'X: y\n', /CRLF/],
  ];
  for (const [what, line, reason] of cases) {
    it(`${what}`, () => {
      const { events } = decodeAll(b(`>1 send\r\n${line}Content-Length: 2\r\n\r\nhi=nop\r\n`));
      expect(events).toHaveLength(2);
      const e = events[0] as FrameError;
      expect(e).toMatchObject({
        fatal: false,
        answer: 'malformed',
        frame: 'command',
        id: '1',
        method: 'send',
      });
      expect(e.reason).toMatch(reason);
      expect(e.line).toBe(2);
      expect(e.offset).toBe(9);
      expect(events[1]).toEqual({ kind: 'nop' });
    });
  }

  it('a literal U+FFFD and other printable non-ASCII pass', () => {
    const { frames, errors } = decodeAll(Buffer.from('>1 x\r\nX: \ufffd \u00e9 \u{1f600}\r\n\r\n', 'utf8'));
    expect(errors).toEqual([]);
    const f = frames[0]!;
    expect(f.kind === 'command' && f.headers).toEqual([['X', '\ufffd \u00e9 \u{1f600}']]);
  });

  it('an id above maxIdLength is malformed, not fatal', () => {
    const id = 'a'.repeat(65);
    const { events } = decodeAll(b(`>${id} send\r\n\r\n=nop\r\n`));
    expect(events[0]).toMatchObject({ fatal: false, answer: 'malformed', id });
    expect(events[1]).toEqual({ kind: 'nop' });
  });

  it('a bad header in a response is to be discarded, never answered', () => {
    const { events } = decodeAll(b('<1 ok (send)\r\nX: \x00\r\n\r\n'));
    expect(events[0]).toMatchObject({ fatal: false, answer: 'discard', frame: 'response', id: '1' });
  });
});

describe('FrameDecoder: fatal errors (close the connection)', () => {
  const fatal: [string, string, RegExp][] = [
    ['garbage', 'GET / HTTP/1.1\r\n', /start line/],
    ['binary garbage', '\x00\x01\x02\r\n', /start line/],
    ['an empty line between messages', '\r\n', /start line/],
    ['a malformed command line', '>1\r\n', /command line/],
    ['an id with a dash', '>a-1 send\r\n', /command line/],
    ['a method with an underscore', '>1 se_nd\r\n', /command line/],
    ['a malformed response line', '<1 maybe (send)\r\n', /response line/],
    ['a malformed mechanism list', '=mech PLAIN  X\r\n', /mechanism list/],
    ['a mechanism name over 20 characters', `=mech ${'A'.repeat(21)}\r\n`, /mechanism list/],
    ['a start line ended by bare LF', '=nop\n', /CRLF/],
    ['a negative Content-Length', '>1 send\r\nContent-Length: -1\r\n\r\n', /Content-Length/],
    ['a non-numeric Content-Length', '>1 send\r\nContent-Length: 12a\r\n\r\n', /Content-Length/],
    ['an empty Content-Length', '>1 send\r\nContent-Length:\r\n\r\n', /Content-Length/],
    ['a huge Content-Length', '>1 send\r\nContent-Length: 99999999999999999999\r\n\r\n', /Content-Length/],
    ['a Content-Length above the limit', '>1 send\r\nContent-Length: 1048577\r\n\r\n', /above the limit/],
    [
      'conflicting Content-Lengths',
      '>1 send\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      /conflicting/,
    ],
    [
      'a Content-Length with a control character',
      '>1 send\r\nContent-Length: 1\x00\r\n\r\na',
      /Content-Length/,
    ],
  ];
  for (const [what, input, reason] of fatal) {
    it(what, () => {
      const { events } = decodeAll(b(input + '=nop\r\n'));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ fatal: true, answer: 'close' });
      expect((events[0] as FrameError).reason).toMatch(reason);
    });
  }

  it('identical duplicate Content-Lengths are fine', () => {
    const { errors, frames } = decodeAll(b('>1 send\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab'));
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(1);
  });

  it('ignores input after a fatal error', () => {
    const events: unknown[] = [];
    const d = new FrameDecoder({ onFrame: (f) => events.push(f), onFrameError: (e) => events.push(e) });
    d.push(b('junk\r\n'));
    d.push(b('=nop\r\n'));
    d.end();
    expect(events).toHaveLength(1);
    expect(d.stopped).toBe(true);
  });
});

describe('FrameDecoder: hostile input stays within the limits', () => {
  it('refuses a 10 MB header line fed in 64 KiB chunks at once, holding no more than the line limit', () => {
    const errors: FrameError[] = [];
    const d = new FrameDecoder({ onFrame: () => {}, onFrameError: (e) => errors.push(e) });
    d.push(b('>1 send\r\nX-Big: '));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let pushed = 0;
    for (; pushed < 160 && errors.length === 0; pushed++) {
      d.push(chunk);
      expect(d.buffered).toBeLessThanOrEqual(8193);
    }
    expect(pushed).toBe(1);
    expect(errors[0]).toMatchObject({ fatal: true, answer: 'close', frame: 'command', id: '1' });
    expect(errors[0]!.reason).toMatch(/line longer than 8192/);
  });

  it('refuses a long line that arrives in small pieces once it passes the limit', () => {
    const errors: FrameError[] = [];
    const d = new FrameDecoder(
      { onFrame: () => {}, onFrameError: (e) => errors.push(e) },
      { maxLineLength: 4096 },
    );
    d.push(b('>1 send\r\nX-Big: '));
    let pushed = 0;
    for (; pushed < 10_000 && errors.length === 0; pushed++) {
      d.push(Buffer.alloc(1000, 0x61));
      expect(d.buffered).toBeLessThanOrEqual(4097);
    }
    expect(pushed).toBe(5);
  });

  it('refuses a million headers at the count limit', () => {
    const errors: FrameError[] = [];
    const d = new FrameDecoder({ onFrame: () => {}, onFrameError: (e) => errors.push(e) });
    d.push(b('>1 send\r\n'));
    const block = b('X: y\r\n'.repeat(100));
    let headers = 0;
    for (; headers < 1_000_000 && errors.length === 0; headers += 100) d.push(block);
    expect(headers).toBe(1100);
    expect(errors[0]!.reason).toMatch(/more than 1000 headers/);
  });

  it('refuses a header block above maxHeaderBytes', () => {
    const { errors } = decodeAll(b('>1 send\r\n' + `X: ${'y'.repeat(1000)}\r\n`.repeat(20)), {
      maxHeaderBytes: 10_000,
    });
    expect(errors[0]!.reason).toMatch(/header block larger/);
  });

  it('waits for a payload that ends early, then reports truncation at end of stream', () => {
    const events: (Frame | FrameError)[] = [];
    const d = new FrameDecoder({ onFrame: (f) => events.push(f), onFrameError: (e) => events.push(e) });
    d.push(b('>1 send\r\nContent-Length: 10\r\n\r\nabc'));
    d.push(b('def'));
    expect(events).toEqual([]);
    expect(d.buffered).toBe(6);
    d.end();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ fatal: true, frame: 'command', id: '1' });
    expect((events[0] as FrameError).reason).toMatch(/truncated/);
  });

  it('reports a stream that ends inside a line or a header block as truncated', () => {
    expect(decodeAll(b('>1 se')).errors[0]!.reason).toMatch(/truncated/);
    expect(decodeAll(b('>1 send\r\nA: b\r\n')).errors[0]!.reason).toMatch(/truncated/);
    expect(decodeAll(b('=nop\r\n')).errors).toEqual([]);
  });
});

const transcriptDir = fileURLToPath(new URL('../../../test/transcripts/', import.meta.url));
const transcripts = readdirSync(transcriptDir)
  .filter((f) => /\.(imtp|pitp)$/.test(f))
  .map((f) => parseTranscript(f, readFileSync(transcriptDir + f, 'utf8')));

describe('FrameDecoder: every transcript stream split at every offset', () => {
  for (const t of transcripts) {
    for (const side of ['C', 'S'] as const) {
      it(`${t.name} (${side} side)`, () => {
        const bytes = sideBytes(t, side);
        const whole = picture(decodeChunks([bytes]));
        expect(whole.length).toBeGreaterThan(0);
        for (let i = 1; i < bytes.length; i++) {
          const split = picture(decodeChunks([bytes.subarray(0, i), bytes.subarray(i)]));
          if (JSON.stringify(split) !== JSON.stringify(whole)) expect(split, `split at ${i}`).toEqual(whole);
        }
        expect(picture(decodeChunks([...bytes].map((x) => Uint8Array.of(x))))).toEqual(whole);
      });
    }
  }
});
