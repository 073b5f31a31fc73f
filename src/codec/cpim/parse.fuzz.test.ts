// Fuzzing the Message/CPIM parser (RFC 3862; issue 13 "Fuzzing in CI") with the shared mutation
// operators (test/support/fuzz.ts) over every shipped vector, and with deeply nested
// Message/CPIM bodies. property.test.ts keeps the build → parse round trip and its own random
// inputs. The property: parseCpim never throws, a reject names a real rule and a position inside
// the input, and anything accepted serializes back octet for octet (a relay loses nothing).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../../test/support/fuzz.js';
import { vectorCases } from '../../../test/support/vectors.js';
import { inspectCpim, parseCpim, serializeCpim } from './index.js';
import type { CpimParseOptions } from './index.js';

const VALID = vectorCases('cpim').map((c) => c.input);
const OPTIONS: CpimParseOptions[] = [
  { startsWith: 'mime-headers', mode: 'strict', nested: true, role: 'endpoint' },
  { startsWith: 'cpim-headers', mode: 'lenient', nested: true, role: 'relay' },
];
const TOKENS = [
  'Content-type: Message/CPIM\r\n',
  'Content-Type: message/cpim\r\n',
  'From: <im:a@b.c>\r\n',
  'To: "x" <im:d@e.f>\r\n',
  'NS: p <urn:x>\r\n',
  'p.X: y\r\n',
  'Require: p.X\r\n',
  'DateTime: 2000-12-13T13:40:00-08:00\r\n',
  'Subject;lang=fr: x\r\n',
  '\r\n',
  ': ',
  ';',
  '\\u',
  '\\',
  '"',
  '<',
  '>',
  'Content-Transfer-Encoding: base64\r\n',
];

function check(bytes: Uint8Array): void {
  for (const o of OPTIONS) {
    const r = parseCpim(bytes, o);
    if (r.result === 'reject') {
      expect(r.rule).not.toBe('internal');
      expect(r.reason.length).toBeGreaterThan(0);
      expect(r.position.line).toBeGreaterThan(0);
      expect(r.position.offset).toBeLessThanOrEqual(bytes.length);
    } else {
      expect(Buffer.compare(Buffer.from(serializeCpim(r.message)), Buffer.from(bytes))).toBe(0);
    }
  }
  for (const lenient of [false, true]) {
    expect(['accept', 'accept-with-warning', 'policy', 'reject', 'fail']).toContain(
      inspectCpim(bytes, { lenient }).result,
    );
  }
}

/** A Message/CPIM object whose body is another one, `depth` levels down. */
function nested(depth: number, inner: Uint8Array): Buffer {
  let body = Buffer.from(inner);
  for (let i = 0; i < depth; i++) {
    body = Buffer.concat([
      Buffer.from('From: <im:a@b.c>\r\nTo: <im:d@e.f>\r\n\r\nContent-Type: message/cpim\r\n\r\n'),
      body,
    ]);
  }
  return Buffer.concat([Buffer.from('Content-type: Message/CPIM\r\n\r\n'), body]);
}

describe('Message/CPIM parser fuzz', () => {
  it(
    'mutated vectors and token soup: accept (serializing back exactly) or a reject with a rule',
    () => {
      fuzz(fc.property(fc.oneof(mutatedFrom(VALID, 6), tokenSoup(TOKENS)), check));
    },
    FUZZ_TIMEOUT,
  );

  it(
    'deeply nested Message/CPIM bodies, intact or mutated',
    () => {
      const inner = fc.constantFrom(
        Buffer.from('Content-Type: text/plain\r\n\r\nhi'),
        ...VALID.filter((v) => v.length < 2000),
      );
      fuzz(
        fc.property(fc.integer({ min: 0, max: 400 }), inner, fc.boolean(), (depth, body, cut) => {
          const bytes = nested(depth, body);
          check(cut ? bytes.subarray(0, bytes.length - 1) : bytes);
        }),
        0.3,
      );
    },
    FUZZ_TIMEOUT,
  );
});
