/**
 * The data model of a parsed Message/CPIM object (RFC 3862).
 *
 * Headers are an ordered list, never a map: RFC 3862 2.2 says processors MUST NOT reorder
 * headers and MUST preserve all their octets, repeated names are allowed (To, cc, Subject),
 * and a header's identity is (namespace URI, name), not its spelling (3.4). So each header
 * keeps its raw line (a view into the input, terminator included) next to its decoded parts.
 */
import type { Position } from '../../errors.js';

/** RFC 3862 4 / 7.2: the namespace of the core headers (section 6 misspells it; see docs/cpim.md 2.4 (e)). */
export const CORE_NAMESPACE = 'urn:ietf:params:cpim-headers:';

/** The headers RFC 3862 4 defines in the core namespace (names are case-sensitive, 2.2). */
export const CORE_HEADER_NAMES: ReadonlySet<string> = new Set([
  'From',
  'To',
  'cc',
  'DateTime',
  'Subject',
  'NS',
  'Require',
]);

/** Where the input starts: at the outer MIME headers (`Content-type: Message/CPIM`) or at the CPIM headers. */
export type CpimStart = 'mime-headers' | 'cpim-headers';

export type CpimMode = 'strict' | 'lenient';

/**
 * Who is parsing, for the questions RFC 3862 leaves open (cpim-30: two From headers).
 * An endpoint rejects an ambiguous message; a relay passes it on unchanged (RFC 3862 6).
 */
export type CpimRole = 'endpoint' | 'relay';

export interface CpimParseOptions {
  readonly startsWith?: CpimStart;
  readonly mode?: CpimMode;
  readonly role?: CpimRole;
  /** Parse an encapsulated `Message/CPIM` entity too (RFC 3862 6 wraps instead of modifying). */
  readonly nested?: boolean;
}

/** A problem that does not stop processing: the message is valid to process, but a sender broke a rule. */
export interface CpimWarning {
  readonly reason: string;
  readonly rule: string;
  readonly position: Position;
}

/** A MIME header (outer or encapsulated entity): RFC 5322 syntax, folding allowed, name case-insensitive. */
export interface MimeHeader {
  /** The header's octets, continuation lines and terminators included. */
  readonly raw: Uint8Array;
  readonly offset: number;
  readonly name: string;
  /** The unfolded value without surrounding white space. */
  readonly value: string;
}

/** `;name=value` after the colon (RFC 3862 3.3, 3.6). */
export interface CpimParam {
  readonly name: string;
  /** Param-value form: Lang-param, Token, Number or quoted String. */
  readonly kind: 'lang' | 'token' | 'number' | 'string';
  /** The value as written (quotes and escapes included for a String). */
  readonly raw: string;
  /** The value after removing quotes and processing escapes. */
  readonly value: string;
}

/** From/To/cc value: `[Formal-name] "<" URI ">"` (RFC 3862 4.1-4.3). */
export interface CpimAddress {
  readonly formalName: string | null;
  readonly uri: string;
}

/** NS value: `[Name-prefix] "<" URI ">"` (RFC 3862 4.6); prefix null declares the default namespace. */
export interface CpimNamespaceDecl {
  readonly prefix: string | null;
  readonly uri: string;
}

/**
 * One entry of a Require list (RFC 3862 3.5, 4.7). `namespace` is null only in lenient mode
 * when the prefix was never declared: such a feature can never be understood.
 */
export interface CpimRequirement {
  readonly prefix: string | null;
  readonly namespace: string | null;
  readonly name: string;
}

/** What a header means once its namespace is resolved. */
export type CpimHeaderKind =
  | 'From'
  | 'To'
  | 'cc'
  | 'DateTime'
  | 'Subject'
  | 'NS'
  | 'Require'
  /** core namespace, name not defined by RFC 3862 (e.g. `from`, `Weather`): ignored (2.2) */
  | 'unknown'
  /** another namespace (3.4) */
  | 'extension'
  /** lenient only: the prefix was never declared, so the header is dropped from the semantics */
  | 'unresolved';

export interface CpimHeader {
  /** The whole line, terminator included: a view into the input. Serializing writes exactly these octets. */
  readonly raw: Uint8Array;
  /** Offset of the line in the input. */
  readonly offset: number;
  readonly lineEnd: 'CRLF' | 'LF';
  readonly rawName: string;
  readonly prefix: string | null;
  /** Resolved namespace URI; null when the prefix is undeclared (lenient mode only). */
  readonly namespace: string | null;
  readonly name: string;
  readonly params: readonly CpimParam[];
  /** The raw text after the single SP. */
  readonly value: string;
  /** The value after escape processing (RFC 3862 2.3.1); equal to `value` when it holds no backslash. */
  readonly decoded: string;
  readonly kind: CpimHeaderKind;
  /** The structured value of From/To/cc, NS and Require; null for the others. */
  readonly parsed: CpimAddress | CpimNamespaceDecl | readonly CpimRequirement[] | null;
}

export interface CpimSubject {
  /** RFC 3862 3.3: null means `i-default`. */
  readonly lang: string | null;
  readonly text: string;
}

/** What an application sees. */
export interface CpimSemantics {
  readonly from: CpimAddress | null;
  readonly to: readonly CpimAddress[];
  readonly cc: readonly CpimAddress[];
  /** The DateTime text; null when absent (or invalid in lenient mode). */
  readonly datetime: string | null;
  readonly subjects: readonly CpimSubject[];
  readonly required: readonly CpimRequirement[];
  /** Raw names of core-namespace headers RFC 3862 does not define: ignored (2.2). */
  readonly unknownHeaders: readonly string[];
  /** Headers of other namespaces, with their decoded values. */
  readonly extensionHeaders: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly value: string;
  }[];
}

export interface CpimMessage {
  readonly startsWith: CpimStart;
  readonly lineEnding: 'CRLF' | 'LF' | 'mixed';
  /** Outer MIME headers; empty when the input started at the CPIM headers. */
  readonly mimeHeaders: readonly MimeHeader[];
  readonly headers: readonly CpimHeader[];
  readonly contentHeaders: readonly MimeHeader[];
  /**
   * The blank lines that close the MIME, CPIM and content header blocks, as written
   * (`\r\n`, `\n`, or empty when the input ends right after the content headers).
   */
  readonly separators: readonly Uint8Array[];
  /** Every octet after the blank line that ends the content headers, to the end of the input. */
  readonly body: Uint8Array;
  readonly semantics: CpimSemantics;
  /** The encapsulated Message/CPIM, when `nested` was asked for and the content is one. */
  readonly inner?: CpimParseResult;
}

export interface CpimPolicy {
  readonly reason: string;
  readonly rule: string;
  readonly recommendation: string;
}

export type CpimParseResult =
  | {
      readonly result: 'accept' | 'accept-with-warning';
      readonly message: CpimMessage;
      readonly warnings: readonly CpimWarning[];
    }
  | {
      /** RFC 3862 leaves the outcome to the receiver's role; pass `role` to decide. */
      readonly result: 'policy';
      readonly message: CpimMessage;
      readonly warnings: readonly CpimWarning[];
      readonly policy: CpimPolicy;
    }
  | {
      readonly result: 'reject';
      readonly message?: undefined;
      readonly reason: string;
      readonly rule: string;
      readonly position: Position;
      readonly warnings: readonly CpimWarning[];
    };

/** A (namespace, name) pair a receiver implements, for `unmetRequirements`. */
export interface CpimFeature {
  readonly namespace: string;
  readonly name: string;
}
