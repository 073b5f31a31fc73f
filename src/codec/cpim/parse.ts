/**
 * Message/CPIM parser (RFC 3862 2): outer MIME headers (optional), blank line, CPIM headers,
 * blank line, encapsulated MIME headers, blank line, body. The body runs to the end of the input:
 * the carrying protocol's framing ends it (RFC 3862 2), so this parser is not incremental.
 *
 * Never throws: every problem becomes a `reject` result naming the rule and the position.
 */
import { CodecError } from '../../errors.js';
import { ParseContext } from './context.js';
import { decodeEscapes } from './escape.js';
import { parseHeaderLine } from './header.js';
import { parseCommonCpim } from './parse-common.js';
import { CpimHeaderLine, ParsedCpimMessage } from './parts.js';
import { buildSemantics, HEADER_RULES } from './semantics.js';
import { findMimeHeader, mediaType, readMimeBlock } from './mime.js';
import {
  CORE_HEADER_NAMES,
  CORE_NAMESPACE,
  type CpimHeader,
  type CpimHeaderKind,
  type CpimMessage,
  type CpimParseOptions,
  type CpimParseResult,
  type CpimRequirement,
  type MimeHeader,
} from './types.js';
import {
  checkCpimDateTime,
  parseAddress,
  parseNamespaceDecl,
  parseRequireNames,
  requireNameOffset,
} from './values.js';
import type { Line } from './context.js';

const CORE_NAMES = CORE_HEADER_NAMES;
/** Nested Message/CPIM objects are parsed this deep at most (each level is a full parse of the body). */
const MAX_DEPTH = 8;

export function parseCpim(input: Uint8Array, options: CpimParseOptions = {}): CpimParseResult {
  return parseAt(input, options, 0, true);
}

/** The full parser alone, without the common-case path: what parse-common.test.ts compares it with. */
export function parseCpimFull(input: Uint8Array, options: CpimParseOptions = {}): CpimParseResult {
  return parseAt(input, options, 0, false);
}

function parseAt(
  input: Uint8Array,
  options: CpimParseOptions,
  depth: number,
  common: boolean,
): CpimParseResult {
  const bytes = Buffer.isBuffer(input)
    ? input
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // Issue 18: the common object in one pass; anything else (and every fault) in the full parser.
  if (common) {
    const r = parseCommonCpim(bytes, options);
    if (r !== null) return r;
  }
  const ctx = new ParseContext(bytes, options.mode === 'lenient');
  try {
    return parseMessage(ctx, options, depth, common);
  } catch (e) {
    if (e instanceof CodecError && e.position) {
      return {
        result: 'reject',
        reason: e.reason,
        rule: e.rule,
        position: e.position,
        warnings: ctx.warnings,
      };
    }
    // Not expected (the fuzz tests look for it), but a parser of untrusted input must not crash.
    return {
      result: 'reject',
      reason: `internal error: ${String(e)}`,
      rule: 'internal',
      position: ctx.position(0),
      warnings: ctx.warnings,
    };
  }
}

function parseMessage(
  ctx: ParseContext,
  options: CpimParseOptions,
  depth: number,
  common: boolean,
): CpimParseResult {
  const { bytes } = ctx;
  const startsWith = options.startsWith ?? 'mime-headers';
  // [start, end) of each blank line closing a header block (parts.ts cuts them when read).
  const spans: number[] = [];
  let mimeHeaders: MimeHeader[] = [];
  let pos = 0;
  if (startsWith === 'mime-headers') {
    const outer = readMimeBlock(ctx, 0, 'outer');
    mimeHeaders = outer.headers;
    spans.push(outer.separatorOffset, outer.next);
    pos = outer.next;
    // RFC 3862 2.1: "The only required MIME header is: Content-type: Message/CPIM".
    const ct = findMimeHeader(mimeHeaders, 'Content-Type');
    if (!ct || mediaType(ct.value) !== 'message/cpim') {
      ctx.failOrWarn(
        "outer MIME headers lack 'Content-type: Message/CPIM'",
        'RFC 3862 2.1',
        ct?.offset ?? outer.separatorOffset,
      );
    }
    // RFC 3862 7.1, 9: a transfer encoding covers the whole object and must be reversed first.
    const cte = findMimeHeader(mimeHeaders, 'Content-Transfer-Encoding');
    if (cte && !['7bit', '8bit', 'binary'].includes(cte.value.toLowerCase())) {
      ctx.fail(
        `Content-Transfer-Encoding '${cte.value}' must be reversed before the object is parsed`,
        'RFC 3862 7.1, 9',
        cte.offset,
      );
    }
  }

  const resolver = new HeaderResolver(ctx);
  const headers: CpimHeader[] = [];
  for (;;) {
    const line = ctx.readLine(pos);
    if (line === null)
      ctx.fail('input ends inside the CPIM headers (no blank line ends them)', 'RFC 3862 2', bytes.length);
    pos = line.next;
    if (line.start === line.end) {
      spans.push(line.start, line.next);
      break;
    }
    headers.push(resolver.header(line));
  }

  const content = readMimeBlock(ctx, pos, 'content');
  spans.push(content.separatorOffset, content.next);
  // RFC 3862 2.4: "The MIME content headers MUST include at least a Content-Type header."
  const contentType = findMimeHeader(content.headers, 'Content-Type');
  if (!contentType)
    ctx.fail('encapsulated MIME headers lack Content-Type', 'RFC 3862 2.4', content.separatorOffset);

  let inner: CpimParseResult | undefined;
  if (options.nested && depth < MAX_DEPTH && mediaType(contentType.value) === 'message/cpim') {
    inner = parseAt(
      bytes.subarray(content.next),
      { ...options, startsWith: 'cpim-headers' },
      depth + 1,
      common,
    );
  }

  const lineEnding = ctx.sawLf ? (ctx.sawCrlf ? 'mixed' : 'LF') : 'CRLF';
  const { semantics, policy } = buildSemantics(ctx, headers, options);
  const message: CpimMessage = new ParsedCpimMessage(
    bytes,
    startsWith,
    lineEnding,
    mimeHeaders,
    headers,
    content.headers,
    spans,
    semantics,
    inner,
  );
  if (policy) return { result: 'policy', message, warnings: ctx.warnings, policy };
  return {
    result: ctx.warnings.length > 0 ? 'accept-with-warning' : 'accept',
    message,
    warnings: ctx.warnings,
  };
}

/**
 * Resolves header names to (namespace URI, name) as the headers come (RFC 3862 3.4): an NS
 * header binds a prefix, or with no prefix sets the default namespace, for the headers after it.
 * Rebinding a prefix is not forbidden; the newest binding applies (cpim-04, XML-namespace analogy).
 */
class HeaderResolver {
  private defaultNamespace = CORE_NAMESPACE;
  private readonly bindings = new Map<string, string>();

  constructor(private readonly ctx: ParseContext) {}

  private readonly undeclaredSeen = new Set<string>();

  /**
   * RFC 3862 3.4: "A namespace prefix declaration MUST precede any use of that prefix."
   * Lenient mode warns once per prefix (a long Require list must not produce a warning per entry).
   */
  private resolvePrefix(prefix: string | null, offset: () => number, reason: () => string): string | null {
    if (prefix === null) return this.defaultNamespace;
    const uri = this.bindings.get(prefix);
    if (uri !== undefined) return uri;
    if (!this.ctx.lenient || !this.undeclaredSeen.has(prefix)) {
      this.undeclaredSeen.add(prefix);
      this.ctx.failOrWarn(reason(), 'RFC 3862 3.4', offset());
    }
    return null;
  }

  header(line: Line): CpimHeader {
    const ctx = this.ctx;
    const raw = parseHeaderLine(ctx, line.start, line.end);
    const { prefix, name, value, valueStart, params } = raw;
    const namespace = this.resolvePrefix(
      prefix,
      () => line.start,
      () => `namespace prefix '${prefix}' used before (without) declaration`,
    );
    const kind: CpimHeaderKind =
      namespace === null
        ? 'unresolved'
        : namespace !== CORE_NAMESPACE
          ? 'extension'
          : CORE_NAMES.has(name)
            ? (name as CpimHeaderKind)
            : 'unknown';
    const paramOffset = line.start + raw.rawName.length + 1;
    let parsed: CpimHeader['parsed'] = null;
    switch (kind) {
      case 'From':
      case 'To':
      case 'cc':
        parsed = parseAddress(ctx, kind, value, valueStart);
        break;
      case 'NS': {
        const decl = parseNamespaceDecl(ctx, value, valueStart);
        if (decl.prefix === null) this.defaultNamespace = decl.uri;
        else this.bindings.set(decl.prefix, decl.uri);
        parsed = decl;
        break;
      }
      case 'Require': {
        const names = parseRequireNames(ctx, value, valueStart);
        const list: CpimRequirement[] = [];
        for (const n of names) {
          const namespace =
            n.prefix === null
              ? this.defaultNamespace
              : this.resolvePrefix(
                  n.prefix,
                  () => requireNameOffset(value, valueStart, n),
                  () => `prefix '${n.prefix}' used without a preceding NS declaration`,
                );
          list.push({ prefix: n.prefix, namespace, name: n.name });
        }
        parsed = list;
        break;
      }
      case 'DateTime': {
        const bad = checkCpimDateTime(value);
        // Lenient (cpim-31): keep going; the semantics then have no datetime.
        if (bad) ctx.failOrWarn(bad.reason, bad.rule, valueStart);
        break;
      }
      case 'Subject':
        // RFC 3862 4.5: Subject takes at most one Lang-param.
        if (params.length > 1 || (params.length === 1 && params[0]!.kind !== 'lang')) {
          ctx.warn(
            'Subject takes only one lang parameter; the others are ignored',
            'RFC 3862 4.5',
            paramOffset,
          );
        }
        break;
    }
    // docs/cpim.md 2.4 (g): the From/To/cc/DateTime/NS/Require grammars allow no parameters,
    // although the generic Header rule does; accept, keep them, warn.
    if (params.length > 0 && kind !== 'Subject' && CORE_NAMES.has(kind)) {
      ctx.warn(
        `${kind} takes no parameters; they are ignored`,
        HEADER_RULES[kind] ?? 'RFC 3862 3.6',
        paramOffset,
      );
    }
    let decoded = value;
    if (raw.hasEscape) {
      const d = decodeEscapes(value);
      decoded = d.text;
      // Structured values report escape problems where they parse them (quoted Formal-name).
      if (parsed === null && kind !== 'DateTime') {
        for (const issue of d.issues)
          ctx.warn(
            issue.reason,
            'RFC 3862 2.3.1',
            valueStart + Buffer.byteLength(value.slice(0, issue.index)),
          );
      }
    }
    return new CpimHeaderLine(
      ctx.bytes,
      line.start,
      line.next,
      line.lineEnd,
      raw.rawName,
      prefix,
      namespace,
      name,
      params,
      value,
      decoded,
      kind,
      parsed,
    );
  }
}
