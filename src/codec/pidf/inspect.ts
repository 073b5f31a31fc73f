/**
 * Plain-JSON report of a PIDF parse for the CLI, with the field names of the vectors'
 * expected-pidf-*.json files (spec/vectors/README.md), so a user can diff the two.
 */
import { CodecError } from '../../errors.js';
import { parsePidf, DTD_RULE } from './parse.js';
import { directText } from './types.js';
import type { PidfDocument, PidfNote, PidfWarning, XmlElement } from './types.js';

export interface InspectPosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export interface InspectWarning {
  readonly message: string;
  readonly rule: string;
  readonly position?: InspectPosition;
}

export interface InspectTuple {
  readonly id: string;
  readonly basic: 'open' | 'closed' | null;
  readonly contact: { readonly uri: string; readonly priority: number | null } | null;
  readonly notes: readonly PidfNote[];
  readonly timestamp: string | null;
  readonly status_extensions: readonly {
    readonly ns: string | null;
    readonly name: string;
    readonly text: string;
  }[];
  readonly ignored_children: readonly { readonly ns: string | null; readonly name: string }[];
}

export interface PidfInspectReport {
  /** The vectors' `strict.result` (or `lenient.result` in lenient mode). */
  readonly result: 'accept' | 'accept-with-warning' | 'reject' | 'policy';
  /** For `policy`: what the gateway decides where the RFCs leave it open. */
  readonly decision?: 'reject';
  readonly recommendation?: string;
  readonly mode: 'strict' | 'lenient';
  /** Why it was rejected, or the first warning. */
  readonly reason?: string;
  readonly rule?: string;
  readonly position?: InspectPosition;
  readonly warnings: readonly InspectWarning[];
  /** Deviations lenient mode tolerated without a warning (e.g. no XML declaration). */
  readonly notices: readonly InspectWarning[];
  readonly entity?: string;
  readonly tuples?: readonly InspectTuple[];
  readonly presence_notes?: readonly PidfNote[];
  readonly presence_extensions?: readonly { readonly ns: string | null; readonly name: string }[];
}

function toWarning(w: PidfWarning): InspectWarning {
  return w.position
    ? {
        message: w.message,
        rule: w.rule,
        position: { line: w.position.line, column: w.position.column, offset: w.position.offset },
      }
    : { message: w.message, rule: w.rule };
}

const nameOf = (e: XmlElement) => ({ ns: e.ns, name: e.name });

/** The vectors' view of a parsed document. */
export function describePidf(
  doc: PidfDocument,
): Pick<PidfInspectReport, 'entity' | 'tuples' | 'presence_notes' | 'presence_extensions'> {
  return {
    entity: doc.entity,
    tuples: doc.tuples.map((t) => ({
      id: t.id,
      basic: t.basic,
      contact: t.contact === null ? null : { uri: t.contact.uri, priority: t.contact.priority },
      notes: t.notes.map((n) => ({ lang: n.lang, text: n.text })),
      timestamp: t.timestamp,
      status_extensions: t.statusExtensions.map((e) => ({ ns: e.ns, name: e.name, text: directText(e) })),
      ignored_children: t.extensions.map(nameOf),
    })),
    presence_notes: doc.notes.map((n) => ({ lang: n.lang, text: n.text })),
    presence_extensions: doc.extensions.map(nameOf),
  };
}

/** Parses `bytes` and reports the outcome as plain JSON; never throws for bad input. */
export function inspectPidf(
  bytes: Uint8Array,
  options: { lenient?: boolean; charset?: string } = {},
): PidfInspectReport {
  const mode = options.lenient === true ? 'lenient' : 'strict';
  try {
    const parsed = parsePidf(bytes, options);
    const warnings = parsed.warnings.map(toWarning);
    const first = warnings[0];
    return {
      result: first === undefined ? 'accept' : 'accept-with-warning',
      mode,
      ...(first === undefined ? {} : { reason: first.message, rule: first.rule }),
      warnings,
      notices: parsed.notices.map(toWarning),
      ...describePidf(parsed.document),
    };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const p = e.position;
    // A DOCTYPE is well-formed XML that RFC 3863 does not forbid; refusing it is this
    // gateway's hardening policy (checklist row 63), so the report says `policy` as the
    // vectors do and names the decision.
    const policy = e.rule === DTD_RULE;
    return {
      result: policy ? 'policy' : 'reject',
      ...(policy
        ? { decision: 'reject' as const, recommendation: 'reject documents carrying a DOCTYPE' }
        : {}),
      mode,
      reason: e.reason,
      rule: e.rule,
      ...(p ? { position: { line: p.line, column: p.column, offset: p.offset } } : {}),
      warnings: [],
      notices: [],
    };
  }
}
