/**
 * A plain-JSON report of a parse, for the CLI: field names follow the expected-result files of
 * the vectors (spec/vectors/README.md), so a user can diff the report against one.
 */
import { isUtf8 } from 'node:buffer';
import type { Position } from '../../errors.js';
import { requirementFailureReason, unmetRequirements } from './require.js';
import { parseCpim } from './parse.js';
import type {
  CpimAddress,
  CpimFeature,
  CpimHeader,
  CpimNamespaceDecl,
  CpimParseResult,
  CpimRequirement,
  CpimRole,
  CpimStart,
  MimeHeader,
} from './types.js';

export interface CpimInspectOptions {
  /** Lenient mode: report what the vectors call `lenient.result`. */
  readonly lenient?: boolean;
  readonly startsWith?: CpimStart;
  readonly role?: CpimRole;
  /** Features this receiver implements: with it, unmet Require entries make the result `fail`. */
  readonly understood?: Iterable<CpimFeature>;
}

export type InspectAddress = { formal_name: string | null; uri: string };
export type InspectParsed =
  | InspectAddress
  | { prefix: string | null; uri: string }
  | { prefix: string | null; namespace: string | null; name: string }[];

export interface CpimInspectHeader {
  raw_name: string;
  prefix: string | null;
  namespace: string | null;
  name: string;
  params: Record<string, string>;
  value: string;
  decoded?: string;
  parsed?: InspectParsed;
}

export interface CpimInspectSemantics {
  from: InspectAddress | null;
  to: InspectAddress[];
  cc: InspectAddress[];
  datetime: string | null;
  subjects: { lang: string | null; text: string }[];
  required: { namespace: string | null; name: string }[];
  /** Present only when non-empty. */
  unknown_headers?: string[];
  /** [namespace, name, decoded value]; present only when non-empty. */
  extension_headers?: [string, string, string][];
}

export interface CpimInspectInner {
  result?: CpimInspectReport['result'];
  reason?: string;
  rule?: string;
  position?: Position;
  headers?: [string, string][];
  content_headers?: [string, string][];
  body?: string;
  body_base64?: string;
}

export interface CpimInspectReport {
  /** `fail`: well-formed, but it Requires something this receiver cannot understand (RFC 3862 3.5). */
  result: CpimParseResult['result'] | 'fail';
  reason?: string;
  rule?: string;
  position?: Position;
  recommendation?: string;
  warnings: { reason: string; rule: string; position: Position }[];
  mime_headers?: [string, string][];
  headers?: CpimInspectHeader[];
  content_headers?: [string, string][];
  body?: string;
  body_base64?: string;
  semantics?: CpimInspectSemantics;
  inner?: CpimInspectInner;
}

const address = (a: CpimAddress): InspectAddress => ({ formal_name: a.formalName, uri: a.uri });
const pairs = (hs: readonly MimeHeader[]): [string, string][] => hs.map((h) => [h.name, h.value]);

function bodyFields(body: Uint8Array): { body: string; body_base64?: string } {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return isUtf8(buf)
    ? { body: buf.toString('utf8') }
    : { body: buf.toString('utf8'), body_base64: buf.toString('base64') };
}

function header(h: CpimHeader): CpimInspectHeader {
  const out: CpimInspectHeader = {
    raw_name: h.rawName,
    prefix: h.prefix,
    namespace: h.namespace,
    name: h.name,
    params: Object.fromEntries(h.params.map((p) => [p.name, p.value])),
    value: h.value,
  };
  if (h.parsed === null) {
    if (h.decoded !== h.value && h.kind !== 'DateTime') out.decoded = h.decoded;
  } else if (h.kind === 'NS') {
    const d = h.parsed as CpimNamespaceDecl;
    out.parsed = { prefix: d.prefix, uri: d.uri };
  } else if (h.kind === 'Require') {
    out.parsed = (h.parsed as readonly CpimRequirement[]).map((r) => ({
      prefix: r.prefix,
      namespace: r.namespace,
      name: r.name,
    }));
  } else {
    out.parsed = address(h.parsed as CpimAddress);
  }
  return out;
}

function inner(r: CpimParseResult): CpimInspectInner {
  if (r.result === 'reject')
    return { result: r.result, reason: r.reason, rule: r.rule, position: r.position };
  const m = r.message;
  return {
    ...(r.result === 'accept' ? {} : { result: r.result }),
    headers: m.headers.map((h): [string, string] => [h.rawName, h.value]),
    content_headers: pairs(m.contentHeaders),
    ...bodyFields(m.body),
  };
}

/** Parses `bytes` (nested Message/CPIM included) and reports it as plain JSON. */
export function inspectCpim(bytes: Uint8Array, options: CpimInspectOptions = {}): CpimInspectReport {
  const r = parseCpim(bytes, {
    startsWith: options.startsWith ?? 'mime-headers',
    mode: options.lenient ? 'lenient' : 'strict',
    nested: true,
    ...(options.role ? { role: options.role } : {}),
  });
  const warnings = r.warnings.map((w) => ({ reason: w.reason, rule: w.rule, position: w.position }));
  if (r.result === 'reject')
    return { result: 'reject', reason: r.reason, rule: r.rule, position: r.position, warnings };
  const m = r.message;
  const report: CpimInspectReport = { result: r.result, warnings };
  if (r.result === 'policy') {
    report.reason = r.policy.reason;
    report.rule = r.policy.rule;
    report.recommendation = r.policy.recommendation;
  }
  // RFC 3862 3.5: a Require entry that cannot be resolved (lenient: undeclared prefix) or that
  // the caller says it does not implement means the message cannot be properly understood.
  const unmet = unmetRequirements(m, options.understood ?? []).filter(
    (u) => options.understood !== undefined || u.namespace === null,
  );
  if (unmet.length > 0 && r.result !== 'policy') {
    report.result = 'fail';
    report.reason = requirementFailureReason(unmet);
    report.rule = 'RFC 3862 3.5';
  }
  if (m.startsWith === 'mime-headers') report.mime_headers = pairs(m.mimeHeaders);
  report.headers = m.headers.map(header);
  report.content_headers = pairs(m.contentHeaders);
  Object.assign(report, bodyFields(m.body));
  const s = m.semantics;
  report.semantics = {
    from: s.from ? address(s.from) : null,
    to: s.to.map(address),
    cc: s.cc.map(address),
    datetime: s.datetime,
    subjects: s.subjects.map((x) => ({ lang: x.lang, text: x.text })),
    required: s.required.map((x) => ({ namespace: x.namespace, name: x.name })),
    ...(s.unknownHeaders.length > 0 ? { unknown_headers: [...s.unknownHeaders] } : {}),
    ...(s.extensionHeaders.length > 0
      ? {
          extension_headers: s.extensionHeaders.map((e): [string, string, string] => [
            e.namespace,
            e.name,
            e.value,
          ]),
        }
      : {}),
  };
  if (m.inner) report.inner = inner(m.inner);
  return report;
}
