// Table test over every cpim-*.txt vector against its expected-*.json (spec/vectors/README.md).
// The CPIM codec is not incremental: the end of the body is set by the carrying protocol's
// framing (RFC 3862 2), so there is no split-at-every-offset test for it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  inspectCpim,
  parseCpim,
  requirementFailureReason,
  serializeCpim,
  unmetRequirements,
} from './index.js';
import type { CpimInspectReport } from './index.js';

const DIR = new URL('../../../test/fixtures/vectors/', import.meta.url);
const NAMES = readdirSync(DIR)
  .filter((f) => /^cpim-\d+.*\.txt$/.test(f))
  .map((f) => f.slice(0, -4))
  .sort();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Expected = any;

function load(name: string): { bytes: Buffer; expected: Expected } {
  return {
    bytes: readFileSync(new URL(`${name}.txt`, DIR)),
    expected: JSON.parse(readFileSync(new URL(`expected-${name}.json`, DIR), 'utf8')),
  };
}

/**
 * Reasons worded differently on purpose: cpim-07's expected text does not name the prefix;
 * ours does, so the user can find it (position gives the line as well).
 */
const REWORDED: Record<string, string> = {
  'cpim-07-undeclared-prefix-header': "namespace prefix 'UndeclaredPrefix' used before (without) declaration",
};

/** Compares the parts of a report that an expected file gives (it omits some per vector). */
function expectSameContent(report: CpimInspectReport, expected: Expected): void {
  if (expected.mime_headers) expect(report.mime_headers).toEqual(expected.mime_headers);
  if (expected.headers) expect(report.headers).toEqual(expected.headers);
  if (expected.content_headers) expect(report.content_headers).toEqual(expected.content_headers);
  if (expected.body !== undefined) {
    expect(report.body).toBe(expected.body);
    expect(report.body_base64).toBeUndefined();
  }
  if (expected.inner) expect(report.inner).toEqual(expected.inner);
  const sem = expected.semantics;
  if (!sem) return;
  for (const [key, want] of Object.entries(sem)) {
    const got = (report.semantics as unknown as Record<string, unknown>)[key];
    if (key === 'subjects' && Array.isArray(want) && want.some((s: Expected) => 'text_length' in s)) {
      const subjects = got as { lang: string | null; text: string }[];
      expect(subjects).toHaveLength(want.length);
      want.forEach((s: Expected, i: number) => {
        expect(subjects[i]!.lang).toBe(s.lang);
        expect(subjects[i]!.text).toHaveLength(s.text_length);
        expect(new Set(subjects[i]!.text)).toEqual(new Set([s.text_char]));
      });
    } else expect(got, `semantics.${key}`).toEqual(want);
  }
}

describe('Message/CPIM vectors', () => {
  it('finds the vectors', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(NAMES)('%s', (name) => {
    const { bytes, expected } = load(name);
    const startsWith = expected.input_starts_with;

    it('strict outcome and content', () => {
      const report = inspectCpim(bytes, { startsWith });
      expect(report.result).toBe(expected.strict.result);
      if (expected.strict.result === 'reject') {
        expect(report.reason).toBe(REWORDED[name] ?? expected.strict.reason);
        expect(report.rule).toBe(expected.strict.rule);
        expect(report.position!.line).toBeGreaterThan(0);
        expect(report.position!.column).toBeGreaterThan(0);
        expect(report.headers).toBeUndefined();
        return;
      }
      if (expected.strict.result === 'policy')
        expect(report.recommendation).toBe(expected.strict.recommendation);
      expectSameContent(report, expected);
    });

    it('lenient outcome', () => {
      const report = inspectCpim(bytes, { startsWith, lenient: true });
      const lenient = expected.lenient;
      if (!lenient) {
        // Where a vector defines no lenient outcome, lenient mode behaves as strict mode does.
        expect(report.result).toBe(expected.strict.result);
        if (expected.strict.result === 'reject') expect(report.rule).toBe(expected.strict.rule);
        return;
      }
      expect(report.result).toBe(lenient.result);
      if (lenient.result === 'accept-with-warning') expect(report.warnings.length).toBeGreaterThan(0);
      if (lenient.same_as) expectSameContent(report, load(lenient.same_as).expected);
      if ('datetime' in lenient) expect(report.semantics!.datetime).toBe(lenient.datetime);
    });

    it('serialize(parse(x)) === x for every accepted parse', () => {
      for (const mode of ['strict', 'lenient'] as const) {
        const r = parseCpim(bytes, { startsWith, mode });
        if (r.result === 'reject') continue;
        expect(Buffer.compare(serializeCpim(r.message), bytes)).toBe(0);
      }
    });

    if (expected.receiver_without_feature) {
      it('receiver without the Required feature fails (RFC 3862 3.5)', () => {
        const r = parseCpim(bytes, { startsWith });
        if (r.result === 'reject') throw new Error(r.reason);
        const unmet = unmetRequirements(r.message, []);
        expect(unmet.length > 0 ? 'fail' : 'ok').toBe(expected.receiver_without_feature.result);
        expect(requirementFailureReason(unmet)).toBe(expected.receiver_without_feature.reason);
        const understood = unmet.map((u) => ({ namespace: u.namespace!, name: u.name }));
        expect(unmetRequirements(r.message, understood)).toEqual([]);
        expect(inspectCpim(bytes, { startsWith, understood: [] }).result).toBe('fail');
        expect(inspectCpim(bytes, { startsWith, understood }).result).toBe(expected.strict.result);
      });
    }

    if (expected.gateway_relay) {
      it('gateway relays it unchanged', () => {
        expect(expected.gateway_relay.result).toBe('relay-unchanged');
        // A relay does not need to understand extension headers (cpim-07): lenient parse suffices.
        let r = parseCpim(bytes, { startsWith, role: 'relay' });
        if (r.result === 'reject') r = parseCpim(bytes, { startsWith, role: 'relay', mode: 'lenient' });
        if (r.result === 'reject') throw new Error(r.reason);
        expect(Buffer.compare(serializeCpim(r.message), bytes)).toBe(0);
      });
    }

    it('parses the same from the CPIM headers on (IMTP payload entry point)', () => {
      const sep = bytes.indexOf(expected.line_ending === 'LF' ? '\n\n' : '\r\n\r\n');
      const payload = bytes.subarray(sep + (expected.line_ending === 'LF' ? 2 : 4));
      const whole = inspectCpim(bytes, { startsWith, lenient: true });
      const part = inspectCpim(payload, { startsWith: 'cpim-headers', lenient: true });
      expect(part.result).toBe(whole.result);
      expect(part.headers).toEqual(whole.headers);
      expect(part.semantics).toEqual(whole.semantics);
      expect(part.mime_headers).toBeUndefined();
      const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient' });
      if (r.result !== 'reject') expect(Buffer.compare(serializeCpim(r.message), payload)).toBe(0);
    });
  });

  it('cpim-30: the role decides the policy question', () => {
    const { bytes, expected } = load('cpim-30-duplicate-from');
    const endpoint = parseCpim(bytes, { role: 'endpoint' });
    expect(endpoint.result).toBe('reject');
    if (endpoint.result === 'reject') {
      expect(endpoint.rule).toBe('RFC 3862 2.2, 4.1');
      expect(endpoint.position.line).toBe(4);
    }
    const relay = parseCpim(bytes, { role: 'relay' });
    expect(relay.result).toBe('accept-with-warning');
    if (relay.result !== 'reject') expect(Buffer.compare(serializeCpim(relay.message), bytes)).toBe(0);
    const open = parseCpim(bytes);
    expect(open.result).toBe('policy');
    if (open.result === 'policy') {
      expect(open.policy.recommendation).toBe(expected.strict.recommendation);
      expect(open.message.semantics.from?.uri).toBe('im:alice@example.com');
    }
  });

  it('cpim-06 lenient: the undeclared Require prefix is an unknown mandatory feature', () => {
    const { bytes } = load('cpim-06-require-undeclared-prefix');
    const r = parseCpim(bytes, { mode: 'lenient' });
    expect(r.result).toBe('accept-with-warning');
    if (r.result === 'reject') return;
    expect(r.message.semantics.required).toEqual([
      { prefix: 'Locale', namespace: null, name: 'MustRenderKanji' },
    ]);
    expect(unmetRequirements(r.message, [{ namespace: 'urn:x', name: 'MustRenderKanji' }])).toHaveLength(1);
  });

  it('cpim-07 lenient: the undeclared-prefix header is dropped from the semantics but kept in the octets', () => {
    const { bytes } = load('cpim-07-undeclared-prefix-header');
    const r = parseCpim(bytes, { mode: 'lenient' });
    if (r.result === 'reject') throw new Error(r.reason);
    expect(r.message.headers[2]).toMatchObject({
      rawName: 'UndeclaredPrefix.Unknown-Header',
      namespace: null,
      kind: 'unresolved',
    });
    expect(r.message.semantics.extensionHeaders).toEqual([]);
    expect(r.message.semantics.unknownHeaders).toEqual([]);
  });

  it('cpim-18 lenient keeps LF line ends (never re-terminates lines)', () => {
    const { bytes } = load('cpim-18-lf-only');
    const r = parseCpim(bytes, { mode: 'lenient' });
    if (r.result === 'reject') throw new Error(r.reason);
    expect(r.message.lineEnding).toBe('LF');
    expect(
      r.message.headers.every(
        (h) => h.lineEnd === 'LF' && h.raw[h.raw.length - 1] === 0x0a && h.raw[h.raw.length - 2] !== 0x0d,
      ),
    ).toBe(true);
    expect(serializeCpim(r.message).includes('\r')).toBe(false);
  });
});
