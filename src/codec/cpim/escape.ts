/**
 * The character escape mechanism of RFC 3862 2.3 and its usage rules (2.3.1).
 * Escapes apply to characters (UCS-2 code units, as in Java), never to UTF-8 octets.
 */

/** Something a sender did that 2.3.1 forbids, found while decoding; `index` is the backslash's string index. */
export interface EscapeIssue {
  readonly index: number;
  readonly reason: string;
}

export interface DecodedText {
  readonly text: string;
  readonly issues: readonly EscapeIssue[];
}

const NAMED: Record<string, string> = { b: '\b', t: '\t', n: '\n', r: '\r', '"': '"', "'": "'", '\\': '\\' };

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** The escape a sender MUST use for `code`, or null when the character must be written as itself (2.3.1). */
function mandatoryEscape(code: number): string | null {
  switch (code) {
    case 0x5c:
      return '\\\\';
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
  }
  if (code < 0x20 || code === 0x7f) return '\\u' + code.toString(16).padStart(4, '0');
  return null;
}

/**
 * RFC 3862 2.3.1, receiver side: the defined escapes MUST be recognised wherever they occur;
 * any backslash SHOULD start an escape; an unrecognised `\x` SHOULD be read as `x`; a lone
 * backslash at the end SHOULD be ignored. Each deviation from the sender rules is reported
 * as an issue so the parser can answer accept-with-warning.
 */
export function decodeEscapes(text: string): DecodedText {
  let at = text.indexOf('\\');
  if (at < 0) return { text, issues: [] };
  const issues: EscapeIssue[] = [];
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += text.slice(from, at);
    if (at + 1 >= text.length) {
      issues.push({ index: at, reason: 'lone backslash at the end of the header ignored' });
      from = at + 1;
      break;
    }
    const next = text[at + 1]!;
    if (next === 'u') {
      const d0 = hexValue(text.charCodeAt(at + 2));
      const d1 = hexValue(text.charCodeAt(at + 3));
      const d2 = hexValue(text.charCodeAt(at + 4));
      const d3 = hexValue(text.charCodeAt(at + 5));
      if (d0 >= 0 && d1 >= 0 && d2 >= 0 && d3 >= 0) {
        const code = (d0 << 12) | (d1 << 8) | (d2 << 4) | d3;
        const must = mandatoryEscape(code);
        if (must === null) {
          issues.push({
            index: at,
            reason: `needless escape ${text.slice(at, at + 6)}: the character must be written as itself`,
          });
        } else if (must.charAt(1) !== 'u') {
          issues.push({ index: at, reason: `${text.slice(at, at + 6)} used where ${must} is required` });
        }
        out += String.fromCharCode(code);
        from = at + 6;
      } else {
        issues.push({ index: at, reason: `malformed escape \\u (4 hex digits needed) read as 'u'` });
        out += 'u';
        from = at + 2;
      }
    } else {
      const named = NAMED[next];
      if (named !== undefined) out += named;
      else {
        // Surrogate pairs stay together: an unknown escape of an astral character yields the whole character.
        const cp = text.codePointAt(at + 1)!;
        const ch = String.fromCodePoint(cp);
        issues.push({ index: at, reason: `unknown escape \\${ch} read as '${ch}'` });
        out += ch;
        from = at + 1 + ch.length;
        at = text.indexOf('\\', from);
        continue;
      }
      from = at + 2;
    }
    at = text.indexOf('\\', from);
  }
  out += text.slice(from);
  return { text: out, issues };
}

/**
 * RFC 3862 2.3.1, sender side: `\\ \b \t \n \r` for those five characters, `\"` for a double
 * quote inside a double-quoted string (`quoted`), `\uxxxx` for every other control
 * (U+0000-U+001F, U+007F), and nothing else escaped.
 */
export function escapeText(text: string, quoted = false): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let esc: string | null;
    if (code === 0x22 && quoted) esc = '\\"';
    else if (code >= 0x20 && code !== 0x5c && code !== 0x7f) continue;
    else esc = mandatoryEscape(code);
    if (esc === null) continue;
    out += text.slice(from, i) + esc;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
