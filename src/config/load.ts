/**
 * Loading gateway.config.yaml: YAML (the `yaml` package) → `${VAR}` substitution → zod schema →
 * each adapter section checked by its own type. Every problem is collected and reported at
 * once with its path (docs/architecture.md part 9); the result is frozen.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, type GatewayConfig } from './schema.js';
import { roomIssues } from './room-check.js';
import { joinPath, substituteEnv, type SubstitutionIssue } from './substitute.js';

/** Checks one adapter section; returns its problems (paths relative to the section). */
export type AdapterConfigCheck = (raw: unknown) => readonly { path: string; message: string }[];

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Known adapter types; an entry of another type is an error. */
  readonly adapterTypes?: ReadonlyMap<string, AdapterConfigCheck>;
}

/** Parses and checks configuration text. Throws ConfigError listing every problem. */
export function parseConfigText(text: string, source: string, options: LoadOptions = {}): GatewayConfig {
  const issues: SubstitutionIssue[] = [];
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const e of doc.errors) {
    const where = e.linePos?.[0];
    issues.push({
      path: where ? `line ${where.line}, column ${where.col}` : '',
      message: e.message.split('\n')[0] ?? e.message,
    });
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  const raw = toPlain(doc, source);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: '', message: 'the configuration must be a mapping' }]);
  }
  return checkConfig(raw, source, options);
}

/**
 * The document as plain data. The yaml package refuses an alias bomb ("billion laughs": aliases
 * of aliases) with a ReferenceError; found by fuzzing (issue 13), it is a ConfigError like every
 * other problem of the file, so the operator sees the file's name and no stack.
 */
function toPlain(doc: ReturnType<typeof parseDocument>, source: string): unknown {
  try {
    return doc.toJS() ?? {};
  } catch (e) {
    const message = e instanceof Error ? e.message : 'unreadable document';
    throw new ConfigError(source, [{ path: '', message: `cannot read the YAML: ${message}` }]);
  }
}

/** Checks an already-parsed configuration object. Throws ConfigError listing every problem. */
export function checkConfig(raw: unknown, source: string, options: LoadOptions = {}): GatewayConfig {
  const issues: SubstitutionIssue[] = [];
  const substituted = substituteEnv(raw, options.env ?? process.env, issues);
  const parsed = configSchema.safeParse(substituted);
  if (!parsed.success) issues.push(...zodIssues(parsed.error));
  if (parsed.success) issues.push(...peerDomainIssues(parsed.data), ...roomIssues(parsed.data));
  if (parsed.success) {
    const types = options.adapterTypes ?? new Map<string, AdapterConfigCheck>();
    const ids = new Set<string>();
    parsed.data.adapters.forEach((entry, i) => {
      const at = joinPath('adapters', i);
      const check = types.get(entry.type);
      if (!check) {
        const known = [...types.keys()].join(', ') || 'none yet';
        issues.push({
          path: joinPath(at, 'type'),
          message: `unknown adapter type "${entry.type}" (known: ${known})`,
        });
        return;
      }
      const id = entry.id ?? entry.type;
      if (ids.has(id)) issues.push({ path: joinPath(at, 'id'), message: `adapter id "${id}" is used twice` });
      ids.add(id);
      for (const p of check(entry))
        issues.push({ path: p.path ? `${at}.${p.path}` : at, message: p.message });
    });
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(source, issues);
  return deepFreeze(parsed.data);
}

export function loadConfigFile(path: string, options: LoadOptions = {}): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  return parseConfigText(text, path, options);
}

/** The schema's defaults: what an empty configuration file gives (no file at all runs the demo, demo.ts). */
export function defaultConfig(): GatewayConfig {
  return checkConfig({}, '(embedded defaults)', { env: {} });
}

/** A domain is served here or by one peer, never both (the route would be ambiguous). */
function peerDomainIssues(config: GatewayConfig): SubstitutionIssue[] {
  const out: SubstitutionIssue[] = [];
  const owner = new Map<string, string>(config.gateway.domains.map((d) => [d, 'gateway.domains']));
  config.peers.forEach((p, i) =>
    p.domains.forEach((d, j) => {
      const at = joinPath(joinPath(joinPath('peers', i), 'domains'), j);
      const first = owner.get(d);
      if (first !== undefined) out.push({ path: at, message: `${d} is already routed by ${first}` });
      else owner.set(d, joinPath('peers', i));
    }),
  );
  return out;
}

function zodIssues(error: z.ZodError): SubstitutionIssue[] {
  return error.issues.map((i) => ({
    path: i.path.reduce<string>((p, k) => joinPath(p, typeof k === 'number' ? k : String(k)), ''),
    message: i.code === 'unrecognized_keys' ? `unknown key(s): ${i.keys.join(', ')}` : i.message,
  }));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
