/**
 * The text-only PIDF elements (RFC 3863 4.1.4-4.1.7): what their content may be, what a
 * receiver tolerates, and what it reports.
 */
import { CodecError, type Position } from '../../errors.js';
import { checkDateTime, isDateTime } from '../../model/datetime.js';
import { isAbsoluteUri, parseQvalue } from './types.js';
import type { Basic, PidfContact, PidfWarning } from './types.js';

/** Reporting bound to one element's position. */
export interface LeafReporter {
  /** A broken rule that leaves the value usable (accept-with-warning). */
  warn(message: string, rule: string): void;
  /** Fatal when strict, a warning when lenient. */
  strictOnly(message: string, rule: string): void;
  /** The error to throw. */
  fail(message: string, rule: string): CodecError;
}

/**
 * The reporter of the PIDF builder (validate.ts): warnings, and strict-only rules (fatal unless
 * lenient), placed at the position of the leaf element being closed (`at`, a text index).
 */
export class LeafReport implements LeafReporter {
  at = 0;

  constructor(
    private readonly lenient: boolean,
    private readonly warnings: PidfWarning[],
    private readonly positions: { positionOf(textIndex: number): Position },
  ) {}

  warn(message: string, rule: string): void {
    this.warnings.push({ message, rule, position: this.positions.positionOf(this.at) });
  }

  strictOnly(message: string, rule: string): void {
    if (!this.lenient) throw this.fail(message, rule);
    this.warn(message, rule);
  }

  fail(message: string, rule: string): CodecError {
    return new CodecError(message, rule, this.positions.positionOf(this.at));
  }
}

/** RFC 3863 4.1.4: exactly "open" or "closed". */
export function readBasic(raw: string, r: LeafReporter): Basic {
  if (raw === 'open' || raw === 'closed') return raw;
  const t = raw.trim();
  if (t === 'open' || t === 'closed') {
    r.warn(`<basic> value "${raw}" has surrounding white space`, 'RFC 3863 4.1.4');
    return t;
  }
  // Case variants ("OPEN") come from sloppy senders: lenient receivers take them.
  if (/^(open|closed)$/i.test(t)) {
    r.strictOnly(`<basic> must be "open" or "closed", found "${raw}"`, 'RFC 3863 4.1.4');
    return t.toLowerCase() as Basic;
  }
  throw r.fail(`<basic> must be "open" or "closed", found "${raw}"`, 'RFC 3863 4.1.4');
}

/** RFC 3863 4.1.5: contact URI and optional priority. */
export function readContact(text: string, priority: string | undefined, r: LeafReporter): PidfContact {
  // xs:anyURI collapses white space (vector pidf-05 has a line break before the URI).
  const uri = text.trim();
  if (!isAbsoluteUri(uri)) r.warn(`contact "${uri}" is not an absolute URI`, 'RFC 3863 4.1.5');
  if (priority === undefined) return { uri, priority: null };
  const q = parseQvalue(priority);
  if (q === null) {
    // A value out of range SHOULD be ignored; absent = lowest priority.
    r.warn(
      `out-of-range priority is ignored, not fatal (SHOULD): "${priority}" is not a qvalue (0 to 1, at most 3 decimals)`,
      'RFC 3863 4.1.5',
    );
  }
  return { uri, priority: q };
}

/** RFC 3863 4.1.7: RFC 3339 date-time with upper-case "T" and "Z". */
export function readTimestamp(raw: string, r: LeafReporter): string | null {
  const text = raw.trim();
  // The common case in one check (issue 18); the two below tell the faults apart.
  if (isDateTime(text, true)) return text;
  const lax = checkDateTime(text);
  if (lax !== null) {
    // A lenient receiver drops a bad timestamp rather than the document.
    r.strictOnly(`timestamp is not an RFC 3339 date-time: ${lax}`, 'RFC 3863 4.1.7');
    return null;
  }
  if (checkDateTime(text, { upperCaseOnly: true }) !== null) {
    r.strictOnly("'T' and 'Z' in timestamps must be upper case", 'RFC 3863 4.1.7');
    return text.toUpperCase();
  }
  return text;
}
