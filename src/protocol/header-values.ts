/**
 * Header value grammars of draft-hudson-impp-transfer-proposal-01 §11 (plus Error-Type, Content-Type).
 * Values arrive from the decoder unfolded and trimmed of SP/HTAB, so the leading `[fws]` and
 * trailing `*WSP` of every grammar are already gone; whitespace left *inside* a value is either
 * allowed by the grammar or a fold where folding is not allowed (draft §10: "folding cannot occur
 * within a presence or im URL").
 *
 * Identifier parsing proper lives in src/model; these are syntax checks for the wire, kept local.
 * Astrength's grammar is in strength.ts.
 */
import { parseStrength } from './strength.js';

// --- Shared pieces (draft §9) --------------------------------------------------------------

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
// atext without the control characters (they cannot occur in a header value anyway, and
// docs/hub-protocol.md part 4 row 6 rejects CR/LF).
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOTTED = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED = '"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[^\\x00\\x0a\\x0d])*"';
const LOCAL_PART = `(?:${DOTTED}|${QUOTED})`;
const ID_RE = new RegExp(`^(${LOCAL_PART})@(${LABEL}(?:\\.${LABEL})*)$`);
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):/;

export function isDomain(value: string): boolean {
  return isDomainRange(value, 0, value.length);
}

/** value[s, e) is a domain: labels of ALPHA / DIGIT / "-" (not first or last) joined by "." (draft §9). */
function isDomainRange(value: string, s: number, e: number): boolean {
  if (e <= s) return false;
  // State: at a label start (or after "."), inside a label, or after a "-".
  let prev = 0x2e; // "."
  for (let i = s; i < e; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2e) {
      if (prev === 0x2e || prev === 0x2d) return false;
    } else if (c === 0x2d) {
      if (prev === 0x2e) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || isAlpha(c))) return false;
    prev = c;
  }
  return prev !== 0x2e && prev !== 0x2d;
}

/**
 * RFC 1738-ish URL, loosely (docs/hub-protocol.md brief): scheme ":" and a non-empty rest without
 * controls; whitespace only inside a quoted local part (draft §9 example `im:"Jane Smith"@domain.com`).
 */
function isSchemeUrl(value: string): boolean {
  // scheme = ALPHA *(ALPHA / DIGIT / "+" / "." / "-"), then ":" (was /^([A-Za-z][A-Za-z0-9+.-]*):/).
  const n = value.length;
  if (n === 0 || !isAlpha(value.charCodeAt(0))) return false;
  let i = 1;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x3a /* : */) break;
    if (!(isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d)) return false;
  }
  // No colon, or nothing after it.
  if (i >= n - 1) return false;
  let quoted = false;
  for (i++; i < n; i++) {
    const c = value.charCodeAt(i);
    // No controls anywhere after the colon (HTAB included), escaped or not.
    if (c < 0x20 || c === 0x7f) return false;
    if (c === 0x5c /* \ */ && quoted) {
      i++;
      if (i < n) {
        const d = value.charCodeAt(i);
        if (d < 0x20 || d === 0x7f) return false;
      }
    } else if (c === 0x22 /* " */) quoted = !quoted;
    else if (c === 0x20 && !quoted) return false;
  }
  return !quoted;
}

function isAlpha(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/** A bare `local@domain` (docs/hub-protocol.md part 4 row 8: scheme-less ids accepted on input). */
export function isSchemelessId(value: string): boolean {
  return ID_RE.test(value);
}

// --- url-hdr (draft §11.1) -------------------------------------------------------------------

export function isUrlValue(value: string): boolean {
  return isSchemeUrl(value) || isSchemelessId(value);
}

// --- origin-hdr (draft §11.2) ----------------------------------------------------------------

export type OriginValue =
  { readonly kind: 'server'; readonly domain: string } | { readonly kind: 'client'; readonly url: string };

/** draft §11.2: a colon means a URL (a client origin); otherwise a domain (a server origin). */
export function parseOrigin(value: string): OriginValue | null {
  if (value.includes(':')) return isSchemeUrl(value) ? { kind: 'client', url: value } : null;
  return isDomain(value) ? { kind: 'server', domain: value } : null;
}

// --- idpattern-hdr (draft §11.3, docs/hub-protocol.md part 4 row 7) -------------------------------

const OUR_PATTERN = new RegExp(
  `^(?:(presence|im):)?(?:\\*|\\*@(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*|${LOCAL_PART}@${LABEL}(?:\\.${LABEL})*)$`,
);
const GENERIC_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/;

/**
 * idpattern-hdr = "*" / our-ptrn / generic-ptrn. `presence:` and `im:` patterns must be our-ptrn;
 * other schemes take "*" or any scheme-specific part. Scheme-less our-ptrn forms are accepted
 * like scheme-less ids (part 4 row 8).
 */
export function isIdPattern(value: string): boolean {
  if (value === '*') return true;
  const scheme = SCHEME_RE.exec(value)?.[1];
  if (scheme === undefined || scheme === 'presence' || scheme === 'im') return OUR_PATTERN.test(value);
  return GENERIC_PATTERN.test(value) || isSchemeUrl(value);
}

// --- Mapping (draft §11.5) ------------------------------------------------------------------

const MAPPING_RE = /^[1-9][0-9]*$/;

/** A positive mapping index; indices beyond 2^53 come back as large (imprecise) numbers, still > any count. */
export function parseMapping(value: string): number | null {
  return MAPPING_RE.test(value) ? Number(value) : null;
}

// --- Mechanism (draft §11.6) ----------------------------------------------------------------

const MECHNAME_RE = /^[A-Za-z0-9_-]{1,20}$/;

export function isMechanismName(value: string): boolean {
  return MECHNAME_RE.test(value);
}

// --- Subscription (draft §11.7) -------------------------------------------------------------

export interface Subscription {
  /** Opaque alphanumeric token of the watcher's server; '' from clients (draft §11.7). */
  readonly connectionId: string;
  readonly url: string;
}

const SUBSCRIPTION_RE = /^([A-Za-z0-9]*)[ \t]*\/[ \t]*(.+)$/;

/** subscription-hdr = [fws] connection-id [fws] "/" [fws] url *WSP */
export function parseSubscription(value: string): Subscription | null {
  const m = SUBSCRIPTION_RE.exec(value);
  if (m === null || !isUrlValue(m[2]!)) return null;
  return { connectionId: m[1]!, url: m[2]! };
}

// --- Visited (draft §11.8, docs/hub-protocol.md part 4 row 16) ------------------------------------

/** visited-hdr = *([fws] domain) *WSP; tokens separated by whitespace. null when a token is no domain. */
export function parseVisited(value: string): string[] | null {
  if (value === '') return [];
  const tokens = value.split(/[ \t]+/);
  for (const t of tokens) if (!isDomain(t)) return null;
  return tokens;
}

/** parseVisited(value) !== null, without allocating. */
export function isVisitedValue(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? value.charCodeAt(i) : 0x20;
    if (c === 0x20 || c === 0x09) {
      if (!isDomainRange(value, start, i)) return false;
      // Skip the rest of the run; the next token starts after it.
      while (i + 1 < n && (value.charCodeAt(i + 1) === 0x20 || value.charCodeAt(i + 1) === 0x09)) i++;
      start = i + 1;
    }
  }
  return true;
}

// --- Error-Type, Content-Type ---------------------------------------------------------------

const TOKEN_RE = /^[\x21-\x7e]+$/;
// RFC 2045 §5.1 type "/" subtype *(";" parameter), loosely.
const CONTENT_TYPE_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*;.*)?$/;

// --- The table: header name → value grammar (draft §10: "A header value MUST match ... the
// syntax of the specific header defined in section 11", part 3 row 10). ----------------------

export type HeaderSyntax =
  | 'url'
  | 'origin'
  | 'idpattern'
  | 'astrength'
  | 'mapping'
  | 'mechanism'
  | 'ignored'
  | 'subscription'
  | 'visited'
  | 'token'
  | 'text'
  | 'content-type';

// A Map, not an object: a header named "constructor" must not find Object.prototype.
export const HEADER_SYNTAX: ReadonlyMap<string, HeaderSyntax> = new Map<string, HeaderSyntax>([
  ['Presentity', 'url'],
  ['Watcher', 'url'],
  ['Sender', 'url'],
  ['Inbox', 'url'],
  ['Orig-Sender', 'url'],
  ['Orig-Inbox', 'url'],
  ['Error-Originator', 'origin'],
  ['Unreliable', 'origin'],
  ['Wpattern', 'idpattern'],
  ['Only', 'idpattern'],
  ['Except', 'idpattern'],
  ['Astrength', 'astrength'],
  ['Mapping', 'mapping'],
  ['Mechanism', 'mechanism'],
  // draft §14.1: "header value MUST be left blank and MUST be ignored if present".
  ['Abort', 'ignored'],
  ['Subscription', 'subscription'],
  ['Visited', 'visited'],
  ['Error-Type', 'token'],
  ['Error-Description', 'text'],
  ['Content-Type', 'content-type'],
]);

const CHECKS: Readonly<Record<HeaderSyntax, (v: string) => boolean>> = {
  url: isUrlValue,
  origin: (v) => parseOrigin(v) !== null,
  idpattern: isIdPattern,
  astrength: (v) => parseStrength(v) !== null,
  mapping: (v) => MAPPING_RE.test(v),
  mechanism: isMechanismName,
  ignored: () => true,
  subscription: (v) => parseSubscription(v) !== null,
  visited: isVisitedValue,
  token: (v) => TOKEN_RE.test(v),
  text: () => true,
  'content-type': (v) => CONTENT_TYPE_RE.test(v),
};

/** The value check of a known header, undefined for unknown headers (they always pass, draft §10). */
export function headerCheck(name: string): ((value: string) => boolean) | undefined {
  const syntax = HEADER_SYNTAX.get(name);
  return syntax === undefined ? undefined : CHECKS[syntax];
}

/** Whether a value fits the grammar of a known header; unknown headers always pass (draft §10). */
export function checkHeaderValue(name: string, value: string): boolean {
  const syntax = HEADER_SYNTAX.get(name);
  return syntax === undefined ? true : CHECKS[syntax](value);
}
