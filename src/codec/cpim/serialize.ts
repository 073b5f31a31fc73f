/**
 * Writing Message/CPIM.
 *
 * `serializeCpim` reproduces a parsed message octet for octet: RFC 3862 2.2 and 6 forbid
 * changing, reformatting or reordering anything in transit (signatures cover the octets), so
 * the serializer writes the raw lines it was given, LF line ends of a lenient parse included.
 *
 * `buildCpim` writes a new message exactly as the RFC allows: CRLF lines, the literal ABNF of
 * 3.6 and 4 (optionally the RFC examples' spacing), escapes exactly per 2.3.1, RFC 3629 UTF-8.
 */
import { CodecError } from '../../errors.js';
import { formatDateTime } from '../../model/datetime.js';
import { escapeText } from './escape.js';
import { checkAbsoluteUri, isControl, isLanguageTag, isName, isToken, splitHeaderName } from './syntax.js';
import { CORE_HEADER_NAMES, CORE_NAMESPACE, type CpimMessage, type CpimStart } from './types.js';
import { checkCpimDateTime } from './values.js';

/** The octets of a parsed message, unchanged (RFC 3862 2.2, 6). */
export function serializeCpim(message: CpimMessage): Buffer {
  const parts: Uint8Array[] = [];
  let s = 0;
  const sep = (): void => {
    const b = message.separators[s++];
    if (b) parts.push(b);
  };
  if (message.startsWith === 'mime-headers') {
    for (const h of message.mimeHeaders) parts.push(h.raw);
    sep();
  }
  for (const h of message.headers) parts.push(h.raw);
  sep();
  for (const h of message.contentHeaders) parts.push(h.raw);
  sep();
  parts.push(message.body);
  return Buffer.concat(parts);
}

export interface CpimAddressInput {
  /** Written as Tokens when it is `1*( Token SP )`-shaped, else as a quoted String. */
  readonly formalName?: string | null;
  readonly uri: string;
}

export interface CpimBuildInput {
  /** Default 'mime-headers' (as in RFC 3862 5.1); IMTP payloads start at the CPIM headers. */
  readonly startsWith?: CpimStart;
  /** Outer MIME headers; default `Content-type: Message/CPIM` (RFC 3862 2.1). */
  readonly mimeHeaders?: readonly (readonly [string, string])[];
  readonly from?: CpimAddressInput;
  readonly to?: readonly CpimAddressInput[];
  readonly cc?: readonly CpimAddressInput[];
  readonly dateTime?: Date | string;
  readonly subjects?: readonly { readonly lang?: string | null; readonly text: string }[];
  /**
   * NS declarations, written after the core headers; `prefix` null/absent sets the default
   * namespace, written after Require (which must stay a core header) and before `extraHeaders`.
   */
  readonly ns?: readonly { readonly prefix?: string | null; readonly uri: string }[];
  /** Header-names for one Require header, after the prefixed NS headers; unprefixed names are core-namespace. */
  readonly require?: readonly string[];
  /** Further headers, last; a prefixed name needs its prefix declared in `ns`. */
  readonly extraHeaders?: readonly {
    readonly name: string;
    readonly params?: readonly { readonly name: string; readonly value: string }[];
    readonly value: string;
  }[];
  /** The encapsulated entity's MIME headers; must include Content-Type (RFC 3862 2.4). */
  readonly contentHeaders: readonly (readonly [string, string])[];
  readonly body?: Uint8Array | string;
  /**
   * 'abnf' (default): `"Name"<uri>` and `NS: p<uri>` as RFC 3862 3.6/4.6 spell them.
   * 'rfc-examples': a SP before "<" after a quoted Formal-name and after an NS prefix, as the
   * RFC's own examples write (docs/cpim.md 2.4 (a)/(b)); every receiver should accept both.
   */
  readonly spacing?: 'abnf' | 'rfc-examples';
}

function bad(message: string, rule: string): never {
  throw new CodecError(message, rule);
}

/** RFC 3862 3.6 / docs/cpim.md 2.4 (h): generate RFC 3629 UTF-8 only, so no lone surrogates. */
function assertWellFormed(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    bad(`${what} contains a lone surrogate, which UTF-8 cannot encode`, 'RFC 3862 3.6 / RFC 3629 3');
  }
}

/** RFC 3862 2.2: one SP after the colon and no white space at the end of the line. */
function headerValue(text: string, what: string): string {
  assertWellFormed(text, what);
  const escaped = escapeText(text);
  if (escaped.length === 0)
    bad(`${what} is empty: 'Name: ' would end the line in whitespace`, 'RFC 3862 2.2');
  if (escaped.startsWith(' ') || escaped.endsWith(' '))
    bad(`${what} starts or ends with a space, which RFC 3862 2.2 cannot carry`, 'RFC 3862 2.2');
  return escaped;
}

function uriOf(uri: string, what: string, rule: string): string {
  const why = checkAbsoluteUri(uri);
  if (why !== null) bad(`${what} '${uri}' ${why}`, rule);
  return uri;
}

/** RFC 3862 4.1-4.3: `[ Formal-name ] "<" URI ">"`. */
function address(header: string, a: CpimAddressInput, spacing: 'abnf' | 'rfc-examples'): string {
  const uri = uriOf(a.uri, `${header} URI`, 'RFC 3862 3.6 / RFC 2396 3');
  const name = a.formalName;
  if (name === null || name === undefined) return `${header}: <${uri}>`;
  assertWellFormed(name, `${header} Formal-name`);
  // Formal-name = 1*( Token SP ) / String: plain tokens when possible, else a quoted String.
  if (name.length > 0 && name.split(' ').every(isToken)) return `${header}: ${name} <${uri}>`;
  return `${header}: "${escapeText(name, true)}"${spacing === 'rfc-examples' ? ' ' : ''}<${uri}>`;
}

/** Param-value = Token / Number / String (RFC 3862 3.6); Lang-param for `lang` (3.3). */
function param(p: { readonly name: string; readonly value: string }): string {
  if (!isName(p.name)) bad(`parameter name '${p.name}' is not a Name`, 'RFC 3862 3.6');
  assertWellFormed(p.value, `parameter '${p.name}'`);
  if (p.name === 'lang') {
    if (!isLanguageTag(p.value)) bad(`invalid language tag '${p.value}' (RFC 3066)`, 'RFC 3862 3.3');
    return `;lang=${p.value}`;
  }
  return `;${p.name}=${isToken(p.value) ? p.value : `"${escapeText(p.value, true)}"`}`;
}

function mimeLine(name: string, value: string, where: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
    bad(`${where} header name '${name}' is not an RFC 5322 field name`, 'RFC 5322 2.2');
  assertWellFormed(value, `${where} header ${name}`);
  if ([...value].some((ch) => ch !== '\t' && isControl(ch.charCodeAt(0))))
    bad(`${where} header ${name} contains a control character`, 'RFC 5322 2.2');
  return `${name}: ${value}`;
}

/** Builds a new Message/CPIM object (CRLF line ends throughout, RFC 3862 2.2). */
export function buildCpim(input: CpimBuildInput): Buffer {
  const spacing = input.spacing ?? 'abnf';
  const startsWith = input.startsWith ?? 'mime-headers';
  const lines: string[] = [];
  if (startsWith === 'mime-headers') {
    for (const [n, v] of input.mimeHeaders ?? [['Content-type', 'Message/CPIM']])
      lines.push(mimeLine(n, v, 'outer MIME'));
    lines.push('');
  }
  if (input.from) lines.push(address('From', input.from, spacing));
  for (const a of input.to ?? []) lines.push(address('To', a, spacing));
  for (const a of input.cc ?? []) lines.push(address('cc', a, spacing));
  if (input.dateTime !== undefined) {
    let text: string;
    if (typeof input.dateTime === 'string') text = input.dateTime;
    else if (Number.isNaN(input.dateTime.getTime())) bad('DateTime is an invalid Date', 'RFC 3862 4.4');
    else text = formatDateTime(input.dateTime);
    const why = checkCpimDateTime(text);
    if (why) bad(why.reason, why.rule);
    lines.push(`DateTime: ${text}`);
  }
  for (const s of input.subjects ?? []) {
    if (s.lang !== undefined && s.lang !== null && !isLanguageTag(s.lang))
      bad(`invalid language tag '${s.lang}' (RFC 3066)`, 'RFC 3862 3.3');
    lines.push(`Subject:${s.lang ? `;lang=${s.lang}` : ''} ${headerValue(s.text, 'Subject')}`);
  }
  // Namespace bindings, tracked to check that every prefix is declared before use (RFC 3862 3.4).
  // Prefixed NS first, then Require, then any default-namespace NS: after `NS: <uri>` an
  // unprefixed `Require` would no longer be the core header (3.4), so Require must come before
  // it, and its unprefixed names therefore name core-namespace features.
  const bindings = new Map<string, string>();
  const defaults: string[] = [];
  for (const d of input.ns ?? []) {
    const uri = uriOf(d.uri, 'namespace URI', 'RFC 3862 3.4');
    if (d.prefix === null || d.prefix === undefined) defaults.push(uri);
    else {
      if (!isName(d.prefix)) bad(`NS prefix '${d.prefix}' is not a Name`, 'RFC 3862 3.6');
      bindings.set(d.prefix, uri);
      lines.push(`NS: ${d.prefix}${spacing === 'rfc-examples' ? ' ' : ''}<${uri}>`);
    }
  }
  let defaultNamespace = CORE_NAMESPACE;
  const resolve = (headerName: string, what: string): string => {
    const split = splitHeaderName(headerName);
    if (split === null)
      bad(`${what} '${headerName}' is not a Header-name ([prefix "."] Name)`, 'RFC 3862 3.1, 3.6');
    if (split.prefix === null) return defaultNamespace;
    const uri = bindings.get(split.prefix);
    if (uri === undefined)
      bad(`prefix '${split.prefix}' of '${headerName}' is not declared in ns`, 'RFC 3862 3.4');
    return uri;
  };
  if (input.require && input.require.length > 0) {
    for (const r of input.require) resolve(r, 'Require entry');
    lines.push(`Require: ${input.require.join(',')}`);
  }
  for (const uri of defaults) {
    defaultNamespace = uri;
    lines.push(`NS: <${uri}>`);
  }
  for (const h of input.extraHeaders ?? []) {
    const ns = resolve(h.name, 'header name');
    const local = h.name.slice(h.name.indexOf('.') + 1);
    if (ns === CORE_NAMESPACE && CORE_HEADER_NAMES.has(local))
      bad(`'${h.name}' is a core header; use its own field`, 'RFC 3862 4');
    lines.push(`${h.name}:${(h.params ?? []).map(param).join('')} ${headerValue(h.value, h.name)}`);
  }
  lines.push('');
  if (!input.contentHeaders.some(([n]) => n.toLowerCase() === 'content-type'))
    bad('contentHeaders lack Content-Type', 'RFC 3862 2.4');
  for (const [n, v] of input.contentHeaders) lines.push(mimeLine(n, v, 'content'));
  lines.push('');
  const head = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
  const body = input.body ?? new Uint8Array(0);
  if (typeof body === 'string') assertWellFormed(body, 'body');
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}
