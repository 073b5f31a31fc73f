// PIDF parser: every vector (strict and lenient) and chunk-independence (each input split at
// every byte offset). Checklist rows 46-53 and 63 are in checklist.test.ts.
import { describe, expect, it } from 'vitest';
import { ALL_INPUTS, VECTORS, doc, enc, rejects, T } from '../../../test/support/pidf-inputs.js';
import { CodecError } from '../../errors.js';
import { createPidfParser, inspectPidf, parsePidf } from './index.js';
import type { PidfInspectReport } from './index.js';

function pick(report: PidfInspectReport, keys: readonly string[]): Record<string, unknown> {
  const r = report as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));
}

describe('PIDF vectors (table)', () => {
  it('finds the vectors', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(18);
  });

  for (const v of VECTORS) {
    it(`${v.name}: strict`, () => {
      const report = inspectPidf(v.bytes);
      const strict = v.expected.strict;
      // "policy": the recommendation for pidf-23 is to reject, which is what we do.
      const want = strict.result === 'policy' ? 'reject' : strict.result;
      expect(report.result).toBe(strict.result);
      if (strict.result === 'policy') expect(report.decision).toBe('reject');
      if (want === 'reject') {
        if (strict.reason !== undefined && strict.result !== 'policy')
          expect(report.reason).toBe(strict.reason);
        if (strict.rule !== undefined) expect(report.rule).toBe(strict.rule);
        expect(report.position?.line).toBeGreaterThan(0);
      }
      if (want === 'accept-with-warning' && strict.reason !== undefined)
        expect(report.reason).toContain(strict.reason);
      if (want !== 'reject') {
        const keys = ['entity', 'tuples', 'presence_notes', 'presence_extensions'].filter(
          (k) => k in v.expected,
        );
        expect(pick(report, keys)).toEqual(Object.fromEntries(keys.map((k) => [k, v.expected[k]])));
      }
    });

    it(`${v.name}: lenient`, () => {
      const report = inspectPidf(v.bytes, { lenient: true });
      const lenient = v.expected.lenient;
      if (lenient === undefined) {
        const strict = inspectPidf(v.bytes);
        expect(report.result).toBe(strict.result);
        expect(pick(report, ['entity', 'tuples'])).toEqual(pick(strict, ['entity', 'tuples']));
        return;
      }
      expect(report.result).toBe(lenient.result);
      if (lenient.entity !== undefined) expect(report.entity).toBe(lenient.entity);
      if (lenient.tuples !== undefined) expect(report.tuples).toEqual(lenient.tuples);
      if (lenient.timestamp !== undefined) expect(report.tuples?.[0]?.timestamp).toBe(lenient.timestamp);
    });
  }

  it('pidf-01 and pidf-02 give the same document (prefix vs default namespace)', () => {
    const a = VECTORS.find((v) => v.name.startsWith('pidf-01'))!;
    const b = VECTORS.find((v) => v.name.startsWith('pidf-02'))!;
    expect(parsePidf(a.bytes).document).toEqual(parsePidf(b.bytes).document);
  });
});

type Outcome = { ok: unknown } | { error: { reason: string; rule: string; position: unknown } };

function outcome(chunks: Uint8Array[], lenient: boolean): Outcome {
  const p = createPidfParser({ lenient });
  try {
    for (const c of chunks) p.write(c);
    return { ok: p.end() };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return { error: { reason: e.reason, rule: e.rule, position: e.position } };
  }
}

describe('incremental parsing', () => {
  for (const [name, bytes] of ALL_INPUTS) {
    it(`${name}: same result at every split offset`, () => {
      for (const lenient of [false, true]) {
        const whole = outcome([bytes], lenient);
        for (let k = 0; k <= bytes.length; k++) {
          const split = outcome([bytes.slice(0, k), bytes.slice(k)], lenient);
          if (JSON.stringify(split) !== JSON.stringify(whole))
            expect({ k, lenient, split }).toEqual({ k, lenient, split: whole });
        }
        const n = bytes.length;
        for (const [a, b] of [
          [1, 2],
          [Math.floor(n / 3), Math.floor((2 * n) / 3)],
          [n - 2, n - 1],
          [5, n - 5],
        ] as const) {
          const three = outcome([bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)], lenient);
          expect(three).toEqual(whole);
        }
        // One byte at a time.
        expect(
          outcome(
            [...bytes].map((x) => new Uint8Array([x])),
            lenient,
          ),
        ).toEqual(whole);
      }
    });
  }

  it('refuses use after end or after an error', () => {
    const p = createPidfParser();
    p.write(doc(T));
    p.end();
    expect(() => p.end()).toThrow(CodecError);
    const q = createPidfParser();
    expect(() => q.write(enc('<?xml version="1.0"?><presence xmlns="urn:x"'))).not.toThrow();
    expect(() => q.write(enc('>'))).toThrow(/root element/);
    expect(() => q.write(enc('<x/>'))).toThrow(/root element/);
  });

  it('reports truncated input with a position', () => {
    const bytes = doc(T);
    const err = rejects(bytes.slice(0, bytes.length - 5), /not well-formed/);
    expect(err.position?.line).toBeGreaterThan(1);
  });
});
