/** Discovery rules (srv.ts) driven by test/fixtures/vectors/srv-vectors.json (cpim rows 39, 54, 55). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  discoverTargets,
  isFqdn,
  orderSrv,
  rfc3861QueryName,
  SERVER_SERVICE,
  type DnsLookup,
  type SrvRecord,
} from './srv.js';

interface SrvVector {
  readonly uri?: string;
  readonly protocol_label?: string;
  readonly query?: string;
  readonly case?: string;
  readonly expect?: string;
}
const vectors = (
  JSON.parse(
    readFileSync(new URL('../../test/fixtures/vectors/srv-vectors.json', import.meta.url), 'utf8'),
  ) as {
    cases: SrvVector[];
  }
).cases;

/** A table-backed lookup that records its questions. */
function table(t: {
  srv?: Record<string, SrvRecord[]>;
  cname?: Record<string, string>;
  a?: Record<string, string[]>;
}) {
  const asked: string[] = [];
  const lookup: DnsLookup = {
    srv: async (n) => (asked.push(`SRV ${n}`), t.srv?.[n] ?? []),
    cname: async (n) => (asked.push(`CNAME ${n}`), t.cname?.[n] ?? null),
    addresses: async (n) => (asked.push(`A ${n}`), t.a?.[n] ?? []),
  };
  return { lookup, asked };
}

const S = SERVER_SERVICE.imtp;
const rec = (priority: number, weight: number, name: string, port = 7410): SrvRecord => ({
  priority,
  weight,
  port,
  name,
});

/** One scenario per behavioural vector; a new vector without one fails the suite. */
const SCENARIOS: Record<string, () => Promise<void>> = {
  'SRV records exist': async () => {
    const { lookup } = table({
      srv: { [`${S}.example.com`]: [rec(0, 0, 'im1.example.net', 7000)] },
      a: { 'example.com': ['192.0.2.1'] },
    });
    expect(await discoverTargets('example.com', S, 7410, lookup)).toEqual([
      { name: 'im1.example.net', port: 7000 },
    ]);
  },
  'no SRV, A record exists': async () => {
    const { lookup } = table({ a: { 'example.com': ['192.0.2.1'] } });
    expect(await discoverTargets('example.com', S, 7410, lookup)).toEqual([
      { name: 'example.com', port: 7410 },
    ]);
  },
  'CNAME instead of SRV': async () => {
    const { lookup, asked } = table({
      cname: { 'alias.example.com': 'real.example.org.' },
      srv: { [`${S}.real.example.org`]: [rec(0, 0, 'im.example.org')] },
      a: { 'alias.example.com': ['192.0.2.9'] },
    });
    expect(await discoverTargets('alias.example.com', S, 7410, lookup)).toEqual([
      { name: 'im.example.org', port: 7410 },
    ]);
    expect(asked).toEqual([
      `SRV ${S}.alias.example.com`,
      'CNAME alias.example.com',
      `SRV ${S}.real.example.org`,
    ]);
  },
  'several SRV targets': async () => {
    const records = [
      rec(20, 0, 'backup.example.com'),
      rec(10, 60, 'b.example.com'),
      rec(10, 40, 'a.example.com'),
    ];
    const { lookup } = table({ srv: { [`${S}.example.com`]: records } });
    // random 0 picks the first record of the running sum; priority 10 before 20.
    const got = await discoverTargets('example.com', S, 7410, lookup, () => 0);
    expect(got?.map((t) => t.name)).toEqual(['b.example.com', 'a.example.com', 'backup.example.com']);
    expect(got!.length).toBeGreaterThanOrEqual(2);
  },
  'domain is not an FQDN (local alias)': async () => {
    const { lookup, asked } = table({ a: { intranet: ['10.0.0.1'] } });
    expect(await discoverTargets('intranet', S, 7410, lookup)).toBeNull();
    expect(asked).toEqual([]);
  },
};

describe('srv-vectors.json (RFC 3861)', () => {
  for (const v of vectors) {
    if (v.query !== undefined) {
      it(`cpim row 39: ${v.uri} over ${v.protocol_label} is looked up as ${v.query}`, () => {
        expect(rfc3861QueryName(v.uri!, v.protocol_label!)).toBe(v.query);
      });
    } else {
      it(`cpim rows 54/55: ${v.case} → ${v.expect}`, async () => {
        const scenario = SCENARIOS[v.case!];
        expect(scenario, `a scenario for "${v.case}"`).toBeDefined();
        await scenario!();
      });
    }
  }
});

describe('discovery details', () => {
  it('row 2: a single "." target means no service (RFC 2782)', async () => {
    const { lookup, asked } = table({
      srv: { [`${S}.example.com`]: [rec(0, 0, '.')] },
      a: { 'example.com': ['192.0.2.1'] },
    });
    expect(await discoverTargets('example.com', S, 7410, lookup)).toEqual([]);
    expect(asked).toEqual([`SRV ${S}.example.com`]);
  });

  it('row 2: neither SRV nor an address means no server', async () => {
    expect(await discoverTargets('example.com', S, 7410, table({}).lookup)).toEqual([]);
  });

  it('a CNAME loop ends', async () => {
    const { lookup } = table({ cname: { 'x.example': 'y.example', 'y.example': 'x.example' } });
    expect(await discoverTargets('x.example', S, 7410, lookup)).toEqual([]);
  });

  it('RFC 2782 weights: selection frequency follows the weights; zero weight is rare but possible', () => {
    const records = [rec(0, 0, 'zero'), rec(0, 10, 'light'), rec(0, 90, 'heavy')];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const first = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const n = orderSrv(records, random)[0]!.name;
      first.set(n, (first.get(n) ?? 0) + 1);
    }
    expect(first.get('heavy')!).toBeGreaterThan(1600);
    expect(first.get('light')!).toBeGreaterThan(100);
    expect(first.get('zero') ?? 0).toBeLessThan(40);
    expect(orderSrv(records, random)).toHaveLength(3);
  });

  it('isFqdn', () => {
    expect(isFqdn('example.com')).toBe(true);
    expect(isFqdn('example.com.')).toBe(true);
    expect(isFqdn('localhost')).toBe(false);
    expect(isFqdn('a..b')).toBe(false);
  });
});
