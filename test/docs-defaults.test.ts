/**
 * The documents' tables of configuration keys tell the truth: every row `| \`key\` | \`default\` |`
 * in docs/gateway.md, docs/federation.md, docs/security.md and the adapters' documents in
 * docs/adapters/ names a key the schema has, with the default the schema gives it; and
 * docs/security.md lists every limit (issue 13: "every limit with its default"). A row under a
 * heading naming `type: X` is a key of adapter X's section.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adapterDefinitions } from '../adapters/index.js';
import { defaultConfig } from '../src/config/load.js';

type Flat = Map<string, unknown>;

function flatten(o: unknown, prefix: string, out: Flat): Flat {
  if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, o);
  return out;
}

/** The smallest section each adapter accepts; every other key takes its default. */
const MINIMAL: Record<string, unknown> = {
  websocket: { type: 'websocket' },
  email: {
    type: 'email',
    domain: 'mail.example',
    outbound: { transport: 'smtp', host: 'mx.example', port: 25 },
  },
  irc: { type: 'irc', domain: 'irc.example', server: { host: 'irc.example' }, nick: 'gw' },
  xmpp: {
    type: 'xmpp',
    componentDomain: 'gw.xmpp.example',
    userDomains: ['xmpp.example'],
    server: { secret: 's' },
  },
};

const gatewayDefaults = flatten(defaultConfig(), '', new Map());
const adapterDefaults = new Map<string, Flat>(
  adapterDefinitions.map((d) => [d.type, flatten(d.parseConfig(MINIMAL[d.type] as never), '', new Map())]),
);

/** How a default is written in the tables: scalars as they are, arrays as `[a, b]`. */
function written(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v);
}

interface Row {
  readonly file: string;
  readonly line: number;
  readonly adapter: string | undefined;
  readonly key: string;
  readonly value: string;
}

const CODE = /^`([^`]+)`$/;

/**
 * Rows whose key cell is one or more backticked keys separated by ` / ` (later ones relative to
 * the first one's parent: `a.b.x` / `y` is a.b.x and a.b.y) and whose default cell has as many
 * backticked values. Other rows (prose defaults such as "none" or "required") are not checked.
 */
function rows(file: string): Row[] {
  const out: Row[] = [];
  let adapter: string | undefined;
  let adapterLevel = 0;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const heading = /^(#+) (.*)$/.exec(text);
      if (heading !== null) {
        const level = heading[1]!.length;
        const type = /`type: ([a-z]+)`/.exec(heading[2]!)?.[1];
        if (type !== undefined) [adapter, adapterLevel] = [type, level];
        else if (level <= adapterLevel) [adapter, adapterLevel] = [undefined, 0];
        return;
      }
      const cells = text.split(' | ');
      if (!text.startsWith('| `') || cells.length < 3) return;
      const keys = cells[0]!.slice(2).split(' / ');
      const values = cells[1]!.split(' / ');
      if (keys.length !== values.length) return;
      const k = keys.map((x) => CODE.exec(x)?.[1]);
      const v = values.map((x) => CODE.exec(x)?.[1]);
      if (k.some((x) => x === undefined || !/^[a-zA-Z.]+$/.test(x)) || v.some((x) => x === undefined)) return;
      const parent = k[0]!.includes('.') ? k[0]!.slice(0, k[0]!.lastIndexOf('.') + 1) : '';
      k.forEach((key, j) =>
        out.push({ file, line: i + 1, adapter, key: j === 0 ? key! : parent + key!, value: v[j]! }),
      );
    });
  return out;
}

const FILES = [
  'docs/gateway.md',
  'docs/federation.md',
  'docs/security.md',
  'docs/adapters/email.md',
  'docs/adapters/irc.md',
  'docs/adapters/web-chat.md',
  'docs/adapters/xmpp.md',
];

describe('documented defaults', () => {
  const all = FILES.flatMap(rows);

  it('finds the tables (the parser is not silently skipping everything)', () => {
    expect(all.filter((r) => r.file === 'docs/gateway.md').length).toBeGreaterThan(40);
    expect(all.filter((r) => r.file === 'docs/federation.md').length).toBeGreaterThan(5);
    expect(all.filter((r) => r.file === 'docs/adapters/web-chat.md').length).toBeGreaterThan(10);
    expect(all.filter((r) => r.file === 'docs/security.md').length).toBeGreaterThan(40);
  });

  it('every documented key exists with the documented default', () => {
    const wrong = all.flatMap((r) => {
      const defaults = r.adapter === undefined ? gatewayDefaults : adapterDefaults.get(r.adapter);
      if (defaults === undefined) return [`${r.file}:${r.line} unknown adapter ${r.adapter}`];
      if (!defaults.has(r.key)) return [`${r.file}:${r.line} ${r.adapter ?? 'gateway'} has no key ${r.key}`];
      const actual = written(defaults.get(r.key));
      return actual === r.value
        ? []
        : [`${r.file}:${r.line} ${r.key}: documented ${r.value}, default ${actual}`];
    });
    expect(wrong).toEqual([]);
  });

  it('docs/security.md lists every limit of the gateway and of each adapter', () => {
    const listed = new Set(
      all.filter((r) => r.file === 'docs/security.md').map((r) => `${r.adapter ?? 'gateway'} ${r.key}`),
    );
    // A limit is a number: a size, a count, a rate or a time.
    const isLimit = (key: string, value: unknown): boolean =>
      typeof value === 'number' &&
      /(^|\.)(limits|rate|flood|queue|puppets|correspondents|mime)\.|max[A-Z]|[tT]imeout|PerSecond|perMinute|Burst|burst|workers/.test(
        key,
      );
    const missing = [
      ...[...gatewayDefaults].filter(([k, v]) => isLimit(k, v)).map(([k]) => `gateway ${k}`),
      ...[...adapterDefaults].flatMap(([type, d]) =>
        [...d].filter(([k, v]) => isLimit(k, v)).map(([k]) => `${type} ${k}`),
      ),
    ].filter((k) => !listed.has(k));
    expect(missing).toEqual([]);
  });
});
