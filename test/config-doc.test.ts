/**
 * docs/configuration.md is generated from the zod schemas (issue 14: "CI fails when it is
 * stale"): a fresh rendering must equal the file, every key must have a meaning, and the
 * defaults it shows are the ones the loader gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRows, renderConfigDoc, undescribed } from '../scripts/config-doc-render.js';
import { defaultConfig } from '../src/config/load.js';

const FILE = new URL('../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('is what `npm run config-doc` writes from the schemas today', () => {
    const fresh = renderConfigDoc();
    const stored = readFileSync(FILE, 'utf8');
    expect(stored, 'docs/configuration.md is stale: run `npm run config-doc` and commit it').toBe(fresh);
  });

  it('gives every key of the gateway and of each adapter a meaning (.describe() in its schema)', () => {
    const { gateway, adapters } = allRows();
    const missing = [
      ...undescribed(gateway),
      ...adapters.flatMap(([type, rows]) => undescribed(rows).map((k) => `${type}: ${k}`)),
    ];
    expect(missing).toEqual([]);
    // Sections are walked all the way down (a regression here would drop whole tables).
    expect(gateway.map((r) => r.key)).toEqual(
      expect.arrayContaining([
        'hub.imtp.port',
        'hub.accounts[].identities',
        'peers[].sasl.mechanism',
        'federation.dns.maxTargets',
        'limits.authFailures.knownAddressMs',
      ]),
    );
    const email = adapters.find(([t]) => t === 'email')![1].map((r) => r.key);
    expect(email).toEqual(
      expect.arrayContaining(['outbound.transport', 'outbound.directory', 'outbound.host']),
    );
  });

  it('shows the defaults the loader fills in', () => {
    const config = defaultConfig() as unknown as Record<string, unknown>;
    const at = (key: string) =>
      key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], config);
    const rows = allRows().gateway.filter((r) => /^`.*`$/.test(r.default) && !r.key.includes('[]'));
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) {
      // Keys of an optional section (`hub.imtp.tls`) have defaults only once it is given.
      if (r.key.includes('.') && at(r.key.slice(0, r.key.lastIndexOf('.'))) === undefined) continue;
      const v = at(r.key);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) continue;
      const shown = Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v);
      expect(r.default, r.key).toBe(`\`${shown}\``);
    }
  });
});
