/**
 * The relay path's hand-written checks (docs/architecture.md part 11: no regular expressions on the hot
 * path) against the regular expressions they replaced: same verdict on arbitrary input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from './frame/index.js';
import { FrameBatch, encodeCommand, isHeaderName, isHeaderValue } from './frame/encode.js';
import { checkHeaderValue, isDomain, isUrlValue, isVisitedValue, parseVisited } from '../protocol/index.js';

// The replaced expressions, verbatim.
const OLD_BAD_VALUE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\x00-\x08\x0a-\x1f\x7f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const OLD_HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const OLD_DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const OLD_COMMAND_LINE = /^>([A-Za-z0-9]+)[ \t]+([A-Za-z0-9-]+)$/;
const OLD_RESPONSE_LINE = /^<([A-Za-z0-9]+)[ \t]+(ok|error)[ \t]*\(([A-Za-z0-9-]+)\)$/;
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const LOCAL = `(?:${ATEXT}+(?:\\.${ATEXT}+)*|"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[^\\x00\\x0a\\x0d])*")`;
const OLD_ID = new RegExp(`^(${LOCAL})@(${LABEL}(?:\\.${LABEL})*)$`);

function oldIsSchemeUrl(value: string): boolean {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value);
  if (m === null) return false;
  const rest = value.slice(m[0].length);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (rest === '' || /[\x00-\x1f\x7f]/.test(rest)) return false;
  let quoted = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 0x5c && quoted) i++;
    else if (c === 0x22) quoted = !quoted;
    else if ((c === 0x20 || c === 0x09) && !quoted) return false;
  }
  return !quoted;
}

/** Strings over `alphabet` (so that the interesting characters actually occur). */
const over = (alphabet: string, maxLength = 24) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { maxLength }).map((a) => a.join(''));
/** Any UTF-16 code units, lone surrogates included. */
const units = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff })), { maxLength: 12 })
  .map((a) => String.fromCharCode(...a));

const RUNS = { numRuns: 3000 };

describe('hand-written checks agree with the expressions they replaced', () => {
  it('header values (encoder)', () => {
    fc.assert(
      fc.property(units, (v) => isHeaderValue(v) === !OLD_BAD_VALUE.test(v)),
      RUNS,
    );
    expect(isHeaderValue('\ud83d\ude00 ok')).toBe(true);
    expect(isHeaderValue('a\ud83d')).toBe(false);
  });

  it('header names (encoder)', () => {
    fc.assert(
      fc.property(
        fc.oneof(units, over('Ab:-\x20\x21\x7e\x7f')),
        (n) => isHeaderName(n) === OLD_HEADER_NAME.test(n),
      ),
      RUNS,
    );
  });

  it('domains and Visited', () => {
    fc.assert(
      fc.property(over('aZ9-.'), (d) => isDomain(d) === OLD_DOMAIN.test(d)),
      RUNS,
    );
    fc.assert(
      fc.property(over('a9-. \t'), (v) => isVisitedValue(v) === (parseVisited(v) !== null)),
      RUNS,
    );
  });

  it('url values', () => {
    const urlish = over('im:a@b."\\ \t+-\x01\x7fZ9', 20);
    fc.assert(
      fc.property(urlish, (v) => isUrlValue(v) === (oldIsSchemeUrl(v) || OLD_ID.test(v))),
      RUNS,
    );
    expect(checkHeaderValue('Sender', 'im:"Jane Smith"@example.com')).toBe(true);
    expect(checkHeaderValue('Sender', 'im:"Jane\tSmith"@example.com')).toBe(false);
  });

  it('command and response start lines (decoder)', () => {
    const line = over('><aZ09 \t-()okerr', 20);
    fc.assert(
      fc.property(line, (l) => {
        const { frames, errors } = decodeAll(Buffer.from(`${l}\r\n\r\n`, 'latin1'));
        const accepted = frames.length === 1 && errors.length === 0 && frames[0]!.kind !== 'nop';
        if (l.startsWith('>')) {
          const m = OLD_COMMAND_LINE.exec(l);
          expect(accepted).toBe(m !== null);
          if (m !== null && frames[0]!.kind === 'command') {
            expect(frames[0]!.id).toBe(m[1]);
            expect(frames[0]!.method).toBe(m[2]);
          }
        } else if (l.startsWith('<')) {
          const m = OLD_RESPONSE_LINE.exec(l);
          expect(accepted).toBe(m !== null);
          if (m !== null && frames[0]!.kind === 'response') {
            expect([frames[0]!.id, frames[0]!.status, frames[0]!.method]).toEqual([m[1], m[2], m[3]]);
          }
        }
      }),
      RUNS,
    );
  });

  it('decoded header values: ASCII fast path and UTF-8 path give the same results as before', () => {
    const v = Buffer.from('Sender:  im:alice@example.com \t\r\nX-Note: caf\u00e9 \r\n', 'utf8');
    const { frames } = decodeAll(Buffer.concat([Buffer.from('>1 send\r\n'), v, Buffer.from('\r\n')]));
    expect(frames[0]).toMatchObject({
      headers: [
        ['Sender', 'im:alice@example.com'],
        ['X-Note', 'caf\u00e9'],
      ],
    });
    const bad = decodeAll(Buffer.from('>1 send\r\nX: a\x7fb\r\n\r\n', 'latin1'));
    expect(bad.errors[0]?.answer).toBe('malformed');
  });
});

describe('the encoder still refuses injection in values built by code', () => {
  // A decoded header relayed unchanged and a code-built one travel in the same list.
  const decoded = decodeAll(Buffer.from('>1 send\r\nSender: im:a@b.c\r\n\r\n')).frames[0]!;
  const relayed = decoded.kind === 'command' ? decoded.headers : [];
  for (const evil of ['x\r\n>2 shutdown', 'x\n', 'x\r', '\0', 'a\ud800', '\uffff']) {
    it(`refuses ${JSON.stringify(evil)} next to decoded headers`, () => {
      expect(() => encodeCommand('1', 'send', [...relayed, ['Visited', evil]])).toThrow();
      expect(() => new FrameBatch().command('1', 'send', [...relayed, ['X', evil]], null)).toThrow();
    });
  }
  it('refuses a colon or a space in a code-built name', () => {
    expect(() => encodeCommand('1', 'send', [...relayed, ['A:B', 'x']])).toThrow();
    expect(() => encodeCommand('1', 'send', [...relayed, ['A B', 'x']])).toThrow();
    expect(() => encodeCommand('1', 'send', [...relayed, ['', 'x']])).toThrow();
  });
});

describe('issue 18: checks folded into the batch writer and the decoder value cache', () => {
  it('FrameBatch accepts a header exactly when isHeaderName/isHeaderValue do, and a refused frame leaves the batch as it was', () => {
    const names = fc.oneof(
      fc.constantFrom('Sender', 'Visited', 'Content-Length', 'X-A'),
      over('Ab:-\x20\x21\x7f'),
    );
    fc.assert(
      fc.property(names, units, (name, value) => {
        const ok =
          isHeaderName(name) &&
          name !== 'Content-Length' &&
          name !== 'Content-Transfer-Encoding' &&
          isHeaderValue(value);
        const batch = new FrameBatch().command('1', 'send', [['Sender', 'im:a@b.c']], null);
        const before = Buffer.from(
          new FrameBatch().command('1', 'send', [['Sender', 'im:a@b.c']], null).take()!,
        );
        let threw = false;
        try {
          batch.response('2', 'ok', 'send', [
            ['Inbox', 'im:b@b.c'],
            [name, value],
          ]);
        } catch {
          threw = true;
        }
        expect(threw).toBe(!ok);
        if (threw) expect(batch.take()!.equals(before)).toBe(true);
        else {
          const single = encodeCommand('1', 'send', [['Sender', 'im:a@b.c']]);
          expect(batch.count).toBe(2);
          expect(decodeAll(batch.take()!).frames[0]).toEqual(decodeAll(single).frames[0]);
        }
      }),
      RUNS,
    );
  });

  it('decoded values are the same strings whether or not the cache holds them', () => {
    fc.assert(
      fc.property(fc.array(over('ab:@.\t -', 12), { minLength: 1, maxLength: 8 }), (values) => {
        const wire = values.map((v, i) => `>${i + 1} send\r\nX: ${v}\r\n\r\n`).join('');
        const twice = decodeAll(Buffer.from(wire + wire, 'latin1')).frames;
        const expected = values.map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
        const got = twice.map((f) => (f.kind === 'command' ? (f.headers[0]?.[1] ?? '') : '?'));
        expect(got).toEqual([...expected, ...expected]);
      }),
      RUNS,
    );
  });
});
