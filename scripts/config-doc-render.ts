/**
 * The configuration reference, docs/configuration.md, rendered from the zod schemas (issue 14:
 * "generated from the zod schema by a script and CI fails when it is stale"): every key of the
 * gateway's sections and of each adapter's section, with its type, default and meaning. The
 * schemas go through `z.toJSONSchema` (input side: what the file may hold, defaults as written);
 * the meaning of a key is its `.describe()` text. Pure: scripts/config-doc.ts writes the file and
 * test/config-doc.test.ts compares it with a fresh rendering.
 */
import { z } from 'zod';
import { emailConfigSchema } from '../adapters/email/config.js';
import { ircConfigSchema } from '../adapters/irc/config.js';
import { websocketConfigSchema } from '../adapters/websocket/config.js';
import { xmppConfigSchema } from '../adapters/xmpp/config.js';
import { configSchema } from '../src/config/schema.js';

/** The part of JSON Schema that z.toJSONSchema produces for these schemas. */
interface Node {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, Node>>;
  readonly required?: readonly string[];
  readonly items?: Node;
  readonly oneOf?: readonly Node[];
  readonly anyOf?: readonly Node[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minItems?: number;
  readonly additionalProperties?: Node | boolean;
}

export interface KeyRow {
  /** `hub.imtp.port`; `[]` stands for every entry of a list. */
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly meaning: string;
}

export const ADAPTER_SCHEMAS: readonly (readonly [string, z.ZodType])[] = [
  ['websocket', websocketConfigSchema],
  ['email', emailConfigSchema],
  ['irc', ircConfigSchema],
  ['xmpp', xmppConfigSchema],
];

function jsonSchema(schema: z.ZodType): Node {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Node;
}

/** The variants of a union, or undefined. */
function variants(n: Node): readonly Node[] | undefined {
  return n.oneOf ?? n.anyOf;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** ` 0–65535`, ` > 0`, ` ≥ 2, ≤ 16`: the bounds a number must keep (none for a safe integer's). */
function range(n: Node): string {
  const min = n.minimum !== undefined && n.minimum > -MAX_SAFE ? n.minimum : undefined;
  const max = n.maximum !== undefined && n.maximum < MAX_SAFE ? n.maximum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  const lo =
    min !== undefined ? `≥ ${min}` : n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : '';
  const parts = [lo, max === undefined ? '' : `≤ ${max}`].filter((p) => p !== '');
  return parts.length === 0 ? '' : ` ${parts.join(', ')}`;
}

function typeOf(n: Node): string {
  if (n.const !== undefined) return `\`${String(n.const)}\``;
  if (n.enum !== undefined) return `one of ${n.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  const vs = variants(n);
  if (vs !== undefined) {
    const tag = discriminator(vs);
    if (tag !== undefined) return `section, by \`${tag}\``;
    return [...new Set(vs.map(typeOf))].join(' or ');
  }
  switch (n.type) {
    case 'integer':
      return `integer${range(n)}`;
    case 'number':
      return `number${range(n)}`;
    case 'array': {
      const item = n.items === undefined ? 'value' : typeOf(n.items);
      const plural = /^(section|string|boolean|value)$/.test(item)
        ? `${item}s`
        : item.replace(/^one of /, 'of ').replace(/^(?!of )/, 'of type ');
      return `list of ${plural.replace(/^of /, '')}${n.minItems ? `, at least ${n.minItems}` : ''}`;
    }
    case 'object':
      // A record (`aliases`): names chosen by the user, each mapped to a value.
      if (n.properties === undefined && typeof n.additionalProperties === 'object')
        return `map of names to ${typeOf(n.additionalProperties)}`;
      return 'section';
    case undefined:
      return 'any';
    default:
      return n.type;
  }
}

/** The key every variant holds as a constant (`transport`, `mechanism`), if any. */
function discriminator(vs: readonly Node[]): string | undefined {
  const first = vs[0]?.properties;
  if (first === undefined) return undefined;
  return Object.keys(first).find((k) => vs.every((v) => v.properties?.[k]?.const !== undefined));
}

/** A default as the tables write it: scalars as they are, lists `[a, b]`, sections `{k: v}`. */
function written(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(written).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${written(x)}`)
      .join(', ')}}`;
  return String(v);
}

function defaultOf(n: Node, required: boolean): string {
  if (n.default !== undefined) {
    // A section's `{}` default only says "its keys' defaults": nothing to show.
    const section = typeof n.default === 'object' && n.default !== null && !Array.isArray(n.default);
    if (section && Object.keys(n.default).length === 0) return '';
    return `\`${written(n.default)}\``;
  }
  return required ? 'required' : 'none';
}

/** Rows for the keys of object `n` under `path`, each key followed by the keys inside it. */
export function rowsOf(n: Node, path: string, note = ''): KeyRow[] {
  const out: KeyRow[] = [];
  const required = new Set(n.required ?? []);
  for (const [name, child] of Object.entries(n.properties ?? {})) {
    const key = path === '' ? name : `${path}.${name}`;
    out.push({
      key,
      type: typeOf(child),
      default: defaultOf(child, required.has(name)),
      meaning: note + (child.description ?? ''),
    });
    out.push(...inside(child, key));
  }
  return out;
}

/** Rows for what a key holds: a section's keys, a list's entries, each variant's keys. */
function inside(n: Node, key: string): KeyRow[] {
  if (n.properties !== undefined) return rowsOf(n, key);
  if (n.type === 'array' && n.items !== undefined) return inside(n.items, `${key}[]`);
  const vs = variants(n);
  return vs === undefined ? [] : variantRows(n, vs, key);
}

/**
 * A union of sections told apart by a constant key (`transport: smtp` or `directory`): that key
 * once, then each variant's other keys, their meaning marked with the variant they belong to.
 */
function variantRows(n: Node, vs: readonly Node[], key: string): KeyRow[] {
  const tag = discriminator(vs);
  const rows = new Map<string, KeyRow>();
  const tagKey = `${key}.${tag}`;
  if (tag !== undefined) {
    const consts = vs.map((v) => v.properties![tag]!);
    const given = (n.default as Record<string, unknown> | undefined)?.[tag];
    rows.set(tagKey, {
      key: tagKey,
      type: consts.map((c) => `\`${String(c.const)}\``).join(' or '),
      default: given === undefined ? 'required' : `\`${written(given)}\``,
      meaning: consts.find((c) => c.description !== undefined)?.description ?? '',
    });
  }
  for (const v of vs) {
    const note = tag === undefined ? '' : `(\`${tag}: ${String(v.properties![tag]!.const)}\`) `;
    for (const row of rowsOf(v, key, note)) {
      if (row.key === tagKey) continue;
      const before = rows.get(row.key);
      rows.set(
        row.key,
        before === undefined ? row : { ...before, meaning: `${before.meaning}; ${row.meaning}` },
      );
    }
  }
  return [...rows.values()];
}

/** Keys whose meaning is empty: every key must say what it is for. */
export function undescribed(rows: readonly KeyRow[]): string[] {
  return rows.filter((r) => r.meaning.replace(/^\(`[^`]+`\) /, '').trim() === '').map((r) => r.key);
}

/** `who this gateway is` → `Who this gateway is.` */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(rows: readonly KeyRow[]): string {
  return [
    '| key | default | type | meaning |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.default)} | ${cell(r.type)} | ${cell(r.meaning)} |`),
  ].join('\n');
}

/** The gateway's sections and each adapter's, as rows (for tests and the document). */
export function allRows(): { gateway: KeyRow[]; adapters: [string, KeyRow[]][] } {
  return {
    gateway: rowsOf(jsonSchema(configSchema), ''),
    adapters: ADAPTER_SCHEMAS.map(([type, schema]) => [type, rowsOf(jsonSchema(schema), '')]),
  };
}

const HEADER = `# Configuration reference

Generated by \`npm run config-doc\` (scripts/config-doc.ts) from the zod schemas in
src/config/schema.ts, src/config/limits-schema.ts and adapters/*/config.ts; do not edit it by
hand: \`test/config-doc.test.ts\` fails when it is stale.

The configuration is one YAML file: \`--config FILE\`, else \`./gateway.config.yaml\`; with
neither, \`cpim-gateway start\` runs the demo (loopback only, published demo users; see
[the demo](#the-demo)). \`cpim-gateway init [FILE]\` writes a commented starting file, and
\`cpim-gateway check-config [FILE]\` checks one and reports every problem with its path.

- Every key is optional unless its default says **required** (inside an optional section: when
  that section is given); a key left out takes its default, and an empty file is valid. Unknown keys are errors, so a typo never falls back silently.
- \`\${VAR}\` in any string value is replaced from the environment (\`\${VAR:-fallback}\` gives a
  fallback, \`$\${\` is a literal \`\${\`), after parsing: a variable never changes the structure.
  Secrets belong there, not in the file.
- \`a.b\` is key \`b\` inside section \`a\`; \`a[]\` stands for each entry of the list \`a\`. A
  section "by \`transport\`" holds the keys of the kind its \`transport\` names (marked in the
  meaning).
- Times are in milliseconds (\`…Ms\`) or seconds (\`…Seconds\`), sizes in octets (\`…Bytes\`).
`;

const DEMO = `## The demo

With no configuration file, \`start\` runs the demo of src/config/demo.ts: the hub on
127.0.0.1:7410 (IMTP) and 7411 (PITP), the web chat page on http://127.0.0.1:8080/, SMTP in on
127.0.0.1:2525 for \`mail.localhost\`, and mail out written to \`./var/mail-out/*.eml\`, with the
demo users alice and bob (hub PLAIN passwords \`alice\` and \`bob\`, web tokens
\`alice-demo-token-change-me\` and \`bob-demo-token-change-me\`). It says so loudly on standard
error and in a \`warn\` line, prints where to go on standard output, and never binds anything
but 127.0.0.1. \`CPIM_DEMO_PORTS\` moves its ports (\`imtp=N,pitp=N,http=N,smtp=N,ops=N,files=N\`, any subset),
for a machine where one is taken and for tests.
`;

export function renderConfigDoc(): string {
  const gateway = jsonSchema(configSchema);
  const { adapters } = allRows();
  const sections = Object.entries(gateway.properties ?? {});
  const contents = [
    ...sections.map(([name]) => `- [\`${name}\`](#${name.toLowerCase()})`),
    ...ADAPTER_SCHEMAS.map(([type]) => `- [adapter \`type: ${type}\`](#adapter-type-${type})`),
    '- [the demo](#the-demo)',
  ];
  const parts = [HEADER, '## Contents\n\n' + contents.join('\n') + '\n'];
  const required = new Set(gateway.required ?? []);
  for (const [name, node] of sections) {
    const own: KeyRow = {
      key: name,
      type: typeOf(node),
      default: defaultOf(node, required.has(name)),
      meaning: node.description ?? '',
    };
    // A section's own row would repeat the paragraph above the table; a list's gives its default.
    const rows = [...(node.type === 'object' ? [] : [own]), ...inside(node, name)];
    const intro = node.description === undefined ? '' : `${sentence(node.description)}\n\n`;
    const more =
      name === 'adapters'
        ? `Each entry is checked by its \`type\`: ${ADAPTER_SCHEMAS.map(([t]) => `[\`${t}\`](#adapter-type-${t})`).join(', ')}.\n\n`
        : '';
    parts.push(`## \`${name}\`\n\n${intro}${more}${table(rows)}\n`);
  }
  for (const [type, rows] of adapters) {
    parts.push(
      `## Adapter \`type: ${type}\`\n\nKeys of an entry of \`adapters\` with \`type: ${type}\`, ` +
        `relative to the entry.\n\n${table(rows)}\n`,
    );
  }
  parts.push(DEMO);
  return parts.join('\n');
}
