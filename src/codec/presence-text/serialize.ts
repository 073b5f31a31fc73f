/**
 * Writing Hudson's `application/presence` documents (draft-hudson-impp-pidf-proposal-01 4):
 * always the quoted -01 value form, CRLF line ends.
 */
import { CodecError } from '../../errors.js';
import { NS_RULE, RULE, type PresenceDocumentInput, type PresenceExtension } from './types.js';

function quote(value: string): string {
  const v = value.replace(/\r\n/g, '\n');
  for (const ch of v) {
    const cp = ch.codePointAt(0)!;
    if ((cp < 0x20 && ch !== '\t' && ch !== '\n') || cp === 0x7f || cp === 0xfffe || cp === 0xffff) {
      throw new CodecError(
        `U+${cp.toString(16).toUpperCase().padStart(4, '0')} cannot be written in a presence value`,
        RULE,
      );
    }
  }
  // Section 4: only \" and \\ are escapes; a line break inside the quotes is a CRLF.
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\r\n')}"`;
}

const VARNAME = /^[A-Za-z][A-Za-z0-9:-]*$/;

class Writer {
  private readonly prefixes = new Map<string, string>();
  lines: string[] = [];

  collect(exts: readonly PresenceExtension[]): void {
    for (const e of exts) {
      if (e.namespace !== null && !this.prefixes.has(e.namespace))
        this.prefixes.set(e.namespace, `ns${this.prefixes.size + 1}`);
      this.collect(e.children);
    }
  }

  declarations(): string[] {
    return [...this.prefixes].map(([uri, p]) => `namespace:${p} = ${quote(uri)}`);
  }

  line(indent: number, name: string, value: string | null, open = false): void {
    if (!VARNAME.test(name)) throw new CodecError(`"${name}" is not a variable name`, RULE);
    const v = value === null ? '' : ` ${quote(value)}`;
    this.lines.push(`${'  '.repeat(indent)}${name} =${v}${open ? ' {' : ''}`);
  }

  close(indent: number): void {
    this.lines.push(`${'  '.repeat(indent)}}`);
  }

  ext(e: PresenceExtension, indent: number): void {
    if (e.namespace === null && (e.name.includes(':') || e.name === 'namespace')) {
      throw new CodecError(`unprefixed variable "${e.name}" cannot contain ":"`, NS_RULE);
    }
    const name = e.namespace === null ? e.name : `${this.prefixes.get(e.namespace)!}:${e.name}`;
    this.line(indent, name, e.value, e.children.length > 0);
    if (e.children.length === 0) return;
    for (const c of e.children) this.ext(c, indent + 1);
    this.close(indent);
  }
}

/**
 * Writes an `application/presence` document in the -01 (quoted) form with CRLF line ends.
 * Namespaced extension variables get prefixes declared at the top (section 6).
 */
export function serializePresenceText(doc: PresenceDocumentInput): string {
  const w = new Writer();
  const contacts = doc.contacts ?? [];
  w.collect(doc.extensions ?? []);
  for (const c of contacts) w.collect(c.extensions ?? []);
  w.lines.push(...w.declarations());
  if (doc.presentity != null) w.line(0, 'presentity', doc.presentity);
  if (doc.date != null) w.line(0, 'date', doc.date);
  for (const c of contacts) {
    const subs: [string, string][] = [];
    if (c.status != null) subs.push(['status', c.status]);
    if (c.capabilities != null) subs.push(['capabilities', c.capabilities]);
    if (c.preference != null) {
      if (!Number.isInteger(c.preference) || c.preference < 0 || c.preference >= 2 ** 32) {
        throw new CodecError(
          `preference ${c.preference} is not an integer in 0..2^32-1`,
          'draft-hudson-impp-pidf-proposal-01 5.4.3',
        );
      }
      subs.push(['preference', String(c.preference)]);
    }
    const exts = c.extensions ?? [];
    const open = subs.length > 0 || exts.length > 0;
    w.line(0, 'contact', c.url, open);
    if (!open) continue;
    for (const [n, v] of subs) w.line(1, n, v);
    for (const e of exts) w.ext(e, 1);
    w.close(0);
  }
  for (const e of doc.extensions ?? []) w.ext(e, 0);
  return w.lines.map((l) => `${l}\r\n`).join('');
}
