// Fuzzing the SASL PLAIN message reader (RFC 4616 2; issue 13 "Fuzzing in CI"): arbitrary octets
// and mutated messages give credentials that obey the RFC's limits or null, never an exception;
// and what plainClient sends reads back as what it was given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom } from '../../test/support/fuzz.js';
import { parsePlain, plainClient } from './sasl.js';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
const VALID = [Buffer.from('\0alice\0secret'), Buffer.from('bob\0alice\0pw'), Buffer.from('é\0ü\0日本')];

describe('SASL PLAIN reader fuzz', () => {
  it(
    'arbitrary and mutated messages: credentials within RFC 4616 limits, or null',
    () => {
      fuzz(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutatedFrom(VALID, 6)), (bytes) => {
          const r = parsePlain(bytes);
          if (r === null) return;
          for (const s of [r.authcid, r.password, r.authzid ?? ''])
            expect(s.includes('\0') || octets(s) > 255).toBe(false);
          expect(r.authcid.length).toBeGreaterThan(0);
          expect(r.password.length).toBeGreaterThan(0);
          expect(r.authzid).not.toBe('');
          // Nothing is lost or invented: the message is exactly the three fields.
          expect(
            Buffer.from(`${r.authzid ?? ''}\0${r.authcid}\0${r.password}`).equals(Buffer.from(bytes)),
          ).toBe(true);
        }),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'what plainClient sends, parsePlain reads back',
    () => {
      const field = (min: number) =>
        fc
          .string({ unit: 'grapheme', minLength: min, maxLength: 40 })
          .filter((s) => !s.includes('\0') && octets(s) <= 255);
      fuzz(
        fc.property(field(0), field(1), field(1), (authzid, authcid, password) => {
          const sent = plainClient(authcid, password, authzid).initial()!;
          expect(parsePlain(sent)).toEqual({
            authzid: authzid === '' ? undefined : authzid,
            authcid,
            password,
          });
        }),
      );
    },
    FUZZ_TIMEOUT,
  );
});
