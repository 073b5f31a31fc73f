/**
 * Hudson's `application/presence` format (draft-hudson-impp-pidf-proposal-01, summarised in
 * spec/hub-protocol.md 2.12), the presence payload of PITP:
 *
 *   presence-doc = *LWSP *var-def
 *   var-def      = varname *LWSP "=" *LWSP [value *LWSP] [subtree *LWSP]
 *   subtree      = "{" *LWSP *var-def "}"
 *   varname      = ALPHA *(ALPHA / DIGIT / "-" / ":")
 *   value        = DQUOTE *(regchar / "\" DQUOTE / "\\" / CRLF) DQUOTE
 *
 * Draft -00 also allowed unquoted values, and the transfer draft's examples use them
 * (`contact = mailto:joe@example.net`), so both forms are read; quoted values are written.
 * Reading decisions (the drafts are silent): LWSP is any of SP, HTAB, CR, LF; an unquoted
 * value ends at white space, "{" or "}"; an unquoted token followed by "=" is the next
 * variable's name (the previous variable had no value); line breaks inside quoted values
 * are returned as "\n" and written as CRLF.
 */
import {
  DEPTH_RULE,
  NS_RULE,
  PRESENCE_TEXT_MAX_DEPTH,
  RULE,
  SEM_RULE,
  type PresenceContact,
  type PresenceDocument,
  type PresenceExtension,
  type PresenceStatus,
  type PresenceTextOptions,
  type PresenceTextResult,
  type PresenceWarning,
} from './types.js';

import { CodecError, positionAt } from '../../errors.js';
import type { Position } from '../../errors.js';
import { firstInvalidUtf8 } from '../../model/utf8.js';
import { TextPositions } from './positions.js';

interface RawVar {
  name: string;
  value: string | null;
  children: RawVar[];
  position: number;
}

const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
const isNameChar = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9:-]$/.test(c);
// -00 unquoted-char: printable, no white space, no "\" and no "{"; "}" also ends a token here.
const isUnquotedChar = (c: string | undefined) =>
  c !== undefined && !isWs(c) && c !== '\\' && c !== '{' && c !== '}' && c >= '!' && c !== '\u007f';

class Reader {
  i = 0;
  readonly warnings: PresenceWarning[] = [];
  /** Subtrees open at this point. */
  private depth = 0;
  private readonly positions: TextPositions;
  constructor(
    private readonly text: string,
    bytes: Uint8Array,
    private readonly lenient: boolean,
    private readonly maxDepth: number,
  ) {
    this.positions = new TextPositions(text, bytes);
  }

  pos(index = this.i): Position {
    return this.positions.at(index);
  }

  fail(message: string, index = this.i, rule = RULE): never {
    throw new CodecError(message, rule, this.pos(index));
  }

  warn(message: string, index: number, rule: string): void {
    this.warnings.push({ message, rule, position: this.pos(index) });
  }

  strictOnly(message: string, index: number, rule: string): void {
    if (!this.lenient) this.fail(message, index, rule);
    this.warn(message, index, rule);
  }

  skipWs(): void {
    while (isWs(this.text[this.i])) this.i++;
  }

  describe(c: string | undefined): string {
    if (c === undefined) return 'end of input';
    const cp = c.codePointAt(0)!;
    return cp < 0x20 || cp === 0x7f ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
  }

  /** var-defs until end of input (top) or "}" (subtree). */
  vars(top: boolean): RawVar[] {
    const out: RawVar[] = [];
    for (;;) {
      this.skipWs();
      const c = this.text[this.i];
      if (c === undefined) {
        if (!top) this.fail('unterminated subtree: "}" expected');
        return out;
      }
      if (c === '}') {
        if (top) this.fail('"}" without a matching "{"');
        this.i++;
        return out;
      }
      out.push(this.varDef());
    }
  }

  name(): string {
    const start = this.i;
    if (!isAlpha(this.text[this.i]))
      this.fail(`expected a variable name, found ${this.describe(this.text[this.i])}`);
    while (isNameChar(this.text[this.i])) this.i++;
    return this.text.slice(start, this.i);
  }

  varDef(): RawVar {
    const position = this.i;
    const name = this.name();
    this.skipWs();
    if (this.text[this.i] !== '=')
      this.fail(`expected "=" after "${name}", found ${this.describe(this.text[this.i])}`);
    this.i++;
    this.skipWs();
    let value: string | null = null;
    const c = this.text[this.i];
    if (c === '"') {
      value = this.quoted();
      this.skipWs();
    } else if (c === '\\') {
      this.fail('"\\" is not allowed in an unquoted value');
    } else if (isUnquotedChar(c)) {
      value = this.unquoted();
    }
    let children: RawVar[] = [];
    if (this.text[this.i] === '{') {
      // Issue 13 hardening: the reader recurses per subtree, so the nesting is bounded (an
      // unbounded one overflowed the stack: found by fuzzing, "a={" repeated 10,000 times).
      if (this.depth >= this.maxDepth)
        this.fail(`subtrees nested deeper than ${this.maxDepth} levels`, this.i, DEPTH_RULE);
      this.i++;
      this.depth++;
      children = this.vars(false);
      this.depth--;
    }
    return { name, value, children, position };
  }

  unquoted(): string | null {
    const start = this.i;
    while (isUnquotedChar(this.text[this.i])) this.i++;
    const token = this.text.slice(start, this.i);
    if (this.text[this.i] === '\\') this.fail('"\\" is not allowed in an unquoted value');
    // A token that is a varname followed by "=" starts the next definition.
    const after = this.i;
    this.skipWs();
    if (/^[A-Za-z][A-Za-z0-9:-]*$/.test(token) && this.text[this.i] === '=') {
      this.i = start;
      return null;
    }
    this.i = after;
    this.skipWs();
    return token;
  }

  quoted(): string {
    const open = this.i;
    this.i++;
    let out = '';
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) this.fail('unterminated quoted value', open);
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const n = this.text[this.i + 1];
        if (n === '"' || n === '\\') {
          out += n;
          this.i += 2;
          continue;
        }
        // Only \" and \\ are defined; a lenient reader keeps the escaped character.
        this.strictOnly(`undefined escape "\\${n ?? ''}" in a quoted value`, this.i, RULE);
        if (n === undefined) this.fail('unterminated quoted value', open);
        this.i++;
        continue;
      }
      if (c === '\r') {
        if (this.text[this.i + 1] === '\n') this.i++;
        else this.strictOnly('CR without LF in a quoted value', this.i, RULE);
        out += '\n';
        this.i++;
        continue;
      }
      const cp = c.codePointAt(0)!;
      // regchar: WSP, printable ASCII, and Unicode scalar values except U+FFFE/U+FFFF.
      if ((cp < 0x20 && c !== '\t' && c !== '\n') || cp === 0x7f || cp === 0xfffe || cp === 0xffff) {
        this.fail(`${this.describe(c)} is not allowed in a quoted value`);
      }
      out += c;
      this.i++;
    }
  }
}

type Scope = ReadonlyMap<string, string>;

/** Parses an `application/presence` body. Throws a CodecError with position on bad syntax. */
export function parsePresenceText(
  input: Uint8Array | string,
  options: PresenceTextOptions = {},
): PresenceTextResult {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) throw new CodecError('ill-formed UTF-8', 'RFC 3629 3', positionAt(bytes, bad));
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const reader = new Reader(
    text,
    bytes,
    options.lenient === true,
    options.maxDepth ?? PRESENCE_TEXT_MAX_DEPTH,
  );
  // A leading byte order mark is not content.
  if (text.startsWith('\uFEFF')) reader.i = 1;
  const raw = reader.vars(true);
  return { document: interpret(raw, reader), warnings: reader.warnings };
}

function resolve(v: RawVar, scope: Scope, reader: Reader): { namespace: string | null; name: string } | null {
  const colon = v.name.indexOf(':');
  if (colon < 0) return { namespace: null, name: v.name };
  const prefix = v.name.slice(0, colon);
  const uri = scope.get(prefix);
  if (uri === undefined) {
    // Section 6: the prefix MUST have been declared earlier in this or an enclosing context.
    reader.strictOnly(`undeclared namespace prefix "${prefix}" in "${v.name}"`, v.position, NS_RULE);
    return null;
  }
  return { namespace: uri, name: v.name.slice(colon + 1) };
}

/** Applies the `namespace:` declarations of one context; returns the other definitions. */
function declarations(
  vars: RawVar[],
  outer: Scope,
  reader: Reader,
): { scope: Map<string, string>; rest: [RawVar, Scope][] } {
  const scope = new Map(outer);
  const rest: [RawVar, Scope][] = [];
  for (const v of vars) {
    if (v.name.startsWith('namespace:')) {
      const prefix = v.name.slice('namespace:'.length);
      if (prefix === '' || v.value === null || v.value === '') {
        reader.strictOnly(`namespace declaration "${v.name}" needs a prefix and a URL`, v.position, NS_RULE);
        continue;
      }
      scope.set(prefix, v.value);
      continue;
    }
    // A declaration applies to the definitions after it, so snapshot the scope per variable.
    rest.push([v, new Map(scope)]);
  }
  return { scope, rest };
}

function extensions(vars: RawVar[], outer: Scope, reader: Reader): PresenceExtension[] {
  const out: PresenceExtension[] = [];
  for (const [v, scope] of declarations(vars, outer, reader).rest) {
    const r = resolve(v, scope, reader);
    if (r === null) continue;
    out.push({ ...r, value: v.value, children: extensions(v.children, scope, reader) });
  }
  return out;
}

function interpret(vars: RawVar[], reader: Reader): PresenceDocument {
  let presentity: string | null = null;
  let date: string | null = null;
  const seen = new Set<string>();
  const contacts: PresenceContact[] = [];
  const exts: PresenceExtension[] = [];
  for (const [v, scope] of declarations(vars, new Map(), reader).rest) {
    const r = resolve(v, scope, reader);
    if (r === null) continue;
    if (r.namespace === null && (r.name === 'presentity' || r.name === 'date')) {
      // Section 5: a non-repeatable variable repeated — the first definition wins.
      if (seen.has(r.name)) {
        reader.warn(`"${r.name}" repeated; the first definition wins`, v.position, SEM_RULE);
        continue;
      }
      seen.add(r.name);
      if (v.value === null || v.value === '') {
        reader.warn(`"${r.name}" has no value; ignored`, v.position, SEM_RULE);
      } else if (r.name === 'presentity') {
        presentity = v.value;
      } else {
        date = v.value;
      }
      continue;
    }
    if (r.namespace === null && r.name === 'contact') {
      if (v.value === null || v.value === '') {
        reader.warn('"contact" has no URL; ignored with its subtree', v.position, SEM_RULE);
        continue;
      }
      contacts.push(contact(v.value, v.children, scope, reader));
      continue;
    }
    exts.push({ ...r, value: v.value, children: extensions(v.children, scope, reader) });
  }
  return { presentity, date, contacts, extensions: exts };
}

function contact(url: string, vars: RawVar[], outer: Scope, reader: Reader): PresenceContact {
  let status: PresenceStatus | null = null;
  let capabilities: string | null = null;
  let preference: number | null = null;
  const seen = new Set<string>();
  const exts: PresenceExtension[] = [];
  for (const [v, scope] of declarations(vars, outer, reader).rest) {
    const r = resolve(v, scope, reader);
    if (r === null) continue;
    const known =
      r.namespace === null && (r.name === 'status' || r.name === 'capabilities' || r.name === 'preference');
    if (!known) {
      exts.push({ ...r, value: v.value, children: extensions(v.children, scope, reader) });
      continue;
    }
    if (seen.has(r.name)) {
      reader.warn(`"${r.name}" repeated in a contact; the first definition wins`, v.position, SEM_RULE);
      continue;
    }
    seen.add(r.name);
    const value = v.value ?? '';
    if (r.name === 'status') {
      // 5.4.1: exactly one of three case-sensitive strings; anything else is unusable.
      if (value === 'open' || value === 'closed' || value === 'deferred') status = value;
      else
        reader.warn(
          `status "${value}" is not open, closed or deferred; ignored`,
          v.position,
          'draft-hudson-impp-pidf-proposal-01 5.4.1',
        );
    } else if (r.name === 'capabilities') {
      capabilities = value;
    } else if (/^[0-9]+$/.test(value) && Number(value) < 2 ** 32) {
      // 5.4.3: unsigned decimal below 2^32, lower is better.
      preference = Number(value);
    } else {
      reader.warn(
        `preference "${value}" is not a decimal below 2^32; ignored`,
        v.position,
        'draft-hudson-impp-pidf-proposal-01 5.4.3',
      );
    }
  }
  return { url, status, capabilities, preference, extensions: exts };
}
