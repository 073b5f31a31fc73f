// Fuzzing the address parser (RFC 3860 im:, RFC 3859 pres:; issue 13 "Fuzzing in CI"): arbitrary
// and mutated URIs give an Address or a CodecError, never another exception, and an Address
// formats to a URI that parses back to itself. Round trips of generated addresses are in
// address.property.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors.js';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../test/support/fuzz.js';
import { formatAddress, parseAddress, tryParseAddress } from './address.js';

const VALID = [
  'im:alice@example.com',
  'pres:bob@example.org',
  'im:%22a%20b%22@x.test',
  'imto:carol@irc.example.org',
  'presence:dave@x.y',
  'im:x@y.z?subject=hi&body=there',
  'im:irc=nick=irc.example.org@gw.test',
].map((s) => Buffer.from(s));
const TOKENS = [
  'im:',
  'pres:',
  '@',
  '%',
  '%40',
  '%00',
  '%C3%A9',
  '"',
  '\\',
  '?',
  '&',
  '=',
  '.',
  '[',
  ']',
  'é',
  ' ',
  ',',
  '<',
  '>',
];

describe('address parser fuzz', () => {
  it(
    'arbitrary and mutated URIs: an Address that formats and parses back, or a CodecError',
    () => {
      fuzz(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            mutatedFrom(VALID, 4).map((b) => b.toString('utf8')),
            tokenSoup(TOKENS, 20).map((b) => b.toString('utf8')),
          ),
          fc.constantFrom(undefined, 'im' as const, 'pres' as const),
          (text, defaultScheme) => {
            const a = tryParseAddress(text, defaultScheme === undefined ? {} : { defaultScheme });
            if (a instanceof CodecError) {
              expect(a.reason.length).toBeGreaterThan(0);
              return;
            }
            const uri = formatAddress(a);
            expect(parseAddress(uri)).toEqual(a);
          },
        ),
      );
    },
    FUZZ_TIMEOUT,
  );
});
