// Fuzzing the IMTP/PITP header value grammars (draft-hudson-impp-transfer-proposal-01 §11;
// issue 13 "Fuzzing in CI"): every known header's check answers for any value without an
// exception, the allocation-free Visited check agrees with the parser, parsed values keep their
// promises, and long hostile values (a whole 8 KB line) are checked without catastrophic
// regular-expression backtracking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz, FUZZ_TIMEOUT, tokenSoup } from '../../test/support/fuzz.js';
import {
  checkHeaderValue,
  isVisitedValue,
  parseMapping,
  parseOrigin,
  parseSubscription,
  parseVisited,
} from './header-values.js';
import { parseStrength } from './strength.js';

const NAMES = [
  'Sender',
  'Inbox',
  'Origin',
  'Orig-Sender',
  'Presentity',
  'Watcher',
  'Pattern',
  'Astrength',
  'Mapping',
  'Mechanism',
  'Subscription',
  'Visited',
  'Content-Type',
  'Error-Description',
  'X-Unknown',
];
const TOKENS = [
  'im:',
  'pres:',
  'presence:',
  'a',
  'Z',
  '0',
  '-',
  '.',
  '@',
  '*',
  '*.',
  '"',
  '\\',
  ' ',
  '\t',
  '/',
  ':',
  ';',
  '=',
  'é',
  '\u0000',
  '9007199254740993',
];
const valueArb = fc.oneof(
  fc.string({ maxLength: 60 }),
  tokenSoup(TOKENS, 30).map((b) => b.toString('latin1')),
);

describe('header value grammars fuzz', () => {
  it(
    'every check answers, parsers keep their promises, Visited fast and slow paths agree',
    () => {
      fuzz(
        fc.property(fc.constantFrom(...NAMES), valueArb, (name, value) => {
          expect(typeof checkHeaderValue(name, value)).toBe('boolean');
          expect(isVisitedValue(value)).toBe(parseVisited(value) !== null);
          const m = parseMapping(value);
          if (m !== null) expect(m).toBeGreaterThanOrEqual(1);
          const o = parseOrigin(value);
          if (o !== null) expect(o.kind === 'client' ? o.url : o.domain).toBe(value);
          const s = parseSubscription(value);
          if (s !== null) expect(value.endsWith(s.url)).toBe(true);
          const st = parseStrength(value);
          if (st !== null) expect(st).toBe(value.toLowerCase());
        }),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'a whole line of repeated grammar pieces is checked quickly (no catastrophic backtracking)',
    () => {
      fuzz(
        fc.property(
          fc.constantFrom(...NAMES),
          fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 3 }),
          fc.constantFrom('', '!', '\u0000', '@', '.', ' x'),
          (name, piece, tail) => {
            const unit = piece.join('');
            const value = unit.repeat(Math.ceil(8000 / unit.length)).slice(0, 8000) + tail;
            const started = Date.now();
            checkHeaderValue(name, value);
            parseVisited(value);
            // Generous: a linear check of 8 KB takes well under a millisecond.
            expect(Date.now() - started).toBeLessThan(1000);
          },
        ),
        0.5,
      );
    },
    FUZZ_TIMEOUT,
  );
});
