/**
 * Structured values of the core headers (RFC 3862 4): From/To/cc addresses, NS declarations,
 * Require lists and DateTime. Values are parsed as strings (already UTF-8-checked); errors
 * are placed at the octet offset of the offending character.
 */
import { checkDateTime } from '../../model/datetime.js';
import type { ParseContext } from './context.js';
import { decodeEscapes } from './escape.js';
import { checkAbsoluteUri, describeChar, isNameChar, isTokenChar, splitHeaderName } from './syntax.js';
import type { CpimAddress, CpimNamespaceDecl } from './types.js';

/** Octet offset of string index `index` of a value that starts at octet `valueStart`. */
function at(value: string, valueStart: number, index: number): number {
  return valueStart + Buffer.byteLength(value.slice(0, index));
}

const ADDRESS_RULES: Record<string, string> = {
  From: 'RFC 3862 4.1, 3.6',
  To: 'RFC 3862 4.2, 3.6',
  cc: 'RFC 3862 4.3, 3.6',
};

/**
 * RFC 3862 4.1-4.3: `[ Formal-name ] "<" URI ">"`, Formal-name = 1*( Token SP ) / String.
 * docs/cpim.md 2.4 (b), checklist row 64: a SP between a quoted Formal-name and "<" is what everyone
 * writes although the ABNF has none; both forms are accepted in every mode.
 */
export function parseAddress(
  ctx: ParseContext,
  header: string,
  value: string,
  valueStart: number,
): CpimAddress {
  const rule = ADDRESS_RULES[header] ?? 'RFC 3862 3.6';
  let i = 0;
  let formalName: string | null = null;
  if (value.charCodeAt(0) === 0x22) {
    // String = DQUOTE *( Str-char / Escape ) DQUOTE
    i = 1;
    while (i < value.length && value.charCodeAt(i) !== 0x22) i += value.charCodeAt(i) === 0x5c ? 2 : 1;
    if (i >= value.length) ctx.fail(`unterminated quoted Formal-name in ${header}`, rule, valueStart);
    const decoded = decodeEscapes(value.slice(1, i));
    for (const issue of decoded.issues)
      ctx.warn(issue.reason, 'RFC 3862 2.3.1', at(value, valueStart, 1 + issue.index));
    formalName = decoded.text;
    i++;
    if (value.charCodeAt(i) === 0x20) i++;
  } else if (value.charCodeAt(0) !== 0x3c) {
    // 1*( Token SP ): tokens separated by exactly one SP, the last one followed by SP and "<".
    for (;;) {
      const tokenStart = i;
      while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
      const c = value.charCodeAt(i);
      if (i === tokenStart || (c !== 0x20 && c !== 0x3c)) {
        const what = i < value.length ? describeChar(c) : 'the end of the value';
        ctx.fail(
          `${what} in the unquoted Formal-name of ${header} (quote the name: Formal-name = 1*( Token SP ) / String)`,
          rule,
          at(value, valueStart, i),
        );
      }
      if (c === 0x3c) {
        ctx.failOrWarn(`no SP between the Formal-name and '<' in ${header}`, rule, at(value, valueStart, i));
        formalName = value.slice(0, i);
        break;
      }
      i++;
      if (value.charCodeAt(i) === 0x3c) {
        formalName = value.slice(0, i - 1);
        break;
      }
    }
  }
  if (value.charCodeAt(i) !== 0x3c) {
    const what = i < value.length ? describeChar(value.charCodeAt(i)) : 'the end of the value';
    ctx.fail(`expected '<' before the URI of ${header}, found ${what}`, rule, at(value, valueStart, i));
  }
  const close = value.indexOf('>', i + 1);
  if (close < 0) ctx.fail(`'<' in ${header} is not closed by '>'`, rule, at(value, valueStart, i));
  if (close !== value.length - 1)
    ctx.fail(`text after '>' in ${header}`, rule, at(value, valueStart, close + 1));
  const uri = value.slice(i + 1, close);
  const why = checkAbsoluteUri(uri);
  if (why !== null)
    ctx.fail(`${header} URI '${uri}' ${why}`, `${rule} / RFC 2396 3`, at(value, valueStart, i + 1));
  return { formalName, uri };
}

/**
 * RFC 3862 4.6: `NS: [ Name-prefix ] "<" URI ">"`. docs/cpim.md 2.4 (a), row 64: every RFC example
 * writes `NS: MyFeatures <mid:...>` with a SP the ABNF lacks; both forms are accepted.
 * RFC 3862 3.4: the URI MUST be an absolute URI without fragment.
 */
export function parseNamespaceDecl(ctx: ParseContext, value: string, valueStart: number): CpimNamespaceDecl {
  const rule = 'RFC 3862 4.6, 3.4';
  let i = 0;
  while (i < value.length && isNameChar(value.charCodeAt(i))) i++;
  const prefix = i > 0 ? value.slice(0, i) : null;
  if (prefix !== null && value.charCodeAt(i) === 0x20) i++;
  if (value.charCodeAt(i) !== 0x3c) {
    const what = i < value.length ? describeChar(value.charCodeAt(i)) : 'the end of the value';
    ctx.fail(`NS value must be '[prefix] <URI>', found ${what}`, rule, at(value, valueStart, i));
  }
  if (value.charCodeAt(value.length - 1) !== 0x3e || value.indexOf('>', i) !== value.length - 1) {
    ctx.fail("NS URI must end the value with '>'", rule, at(value, valueStart, i));
  }
  const uri = value.slice(i + 1, -1);
  const why = checkAbsoluteUri(uri);
  if (why !== null) ctx.fail(`namespace URI '${uri}' ${why}`, 'RFC 3862 3.4', at(value, valueStart, i + 1));
  return { prefix, uri };
}

/** A Require entry as written, with its string index in the value (offsets are computed only for errors). */
export interface RequireName {
  readonly prefix: string | null;
  readonly name: string;
  readonly index: number;
}

/** RFC 3862 4.7: `Require: Header-name *( "," Header-name )`. */
export function parseRequireNames(ctx: ParseContext, value: string, valueStart: number): RequireName[] {
  const out: RequireName[] = [];
  let from = 0;
  for (;;) {
    const comma = value.indexOf(',', from);
    const item = value.slice(from, comma < 0 ? value.length : comma);
    const split = splitHeaderName(item);
    if (split === null) {
      ctx.fail(
        `'${item}' in Require is not a header name ([prefix "."] name)`,
        'RFC 3862 4.7, 3.6',
        at(value, valueStart, from),
      );
    }
    out.push({ prefix: split.prefix, name: split.name, index: from });
    if (comma < 0) return out;
    from = comma + 1;
  }
}

/** Octet offset of a Require entry. */
export function requireNameOffset(value: string, valueStart: number, n: RequireName): number {
  return at(value, valueStart, n.index);
}

/** RFC 3862 4.4: DateTime is an RFC 3339 date-time. Returns null when valid, else the reason and rule. */
export function checkCpimDateTime(value: string): { reason: string; rule: string } | null {
  const why = checkDateTime(value);
  if (why === null) return null;
  // A well-formed but impossible date breaks RFC 3339 5.7 (restrictions); bad syntax breaks 5.6.
  const feb29 = /^(\d{4})-02-29/.exec(value);
  if (feb29 && why.startsWith('day '))
    return { reason: `${feb29[1]} is not a leap year`, rule: 'RFC 3862 4.4 / RFC 3339 5.7' };
  return {
    reason: why,
    rule: why.includes('is not an RFC 3339') ? 'RFC 3862 4.4 / RFC 3339 5.6' : 'RFC 3862 4.4 / RFC 3339 5.7',
  };
}
