/**
 * Incremental PIDF (RFC 3863) parser on top of saxes, a namespace-aware streaming XML parser.
 *
 * Bytes are decoded as UTF-8 in streaming mode and handed to saxes; the PIDF structure is
 * checked as elements open and close (validate.ts), so the result does not depend on how
 * the input was cut into chunks. DTDs are refused outright (checklist row 63): saxes never
 * expands entities from an internal subset nor loads external resources, and any DOCTYPE
 * ends the parse.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import { CodecError, positionAt } from '../../errors.js';
import type { Position } from '../../errors.js';
import { firstInvalidUtf8 } from '../../model/utf8.js';
import { PIDF_MAX_DEPTH, type PidfParseOptions, type PidfParseResult } from './types.js';
import { PidfBuilderState } from './validate.js';

/** The rule named when a DOCTYPE is refused. */
export const DTD_RULE = 'hardening: no DTDs (docs/cpim.md checklist row 63)';

const XML_RULE = 'XML 1.0 2.1 (well-formed document)';

/** A PIDF parser that can be fed in chunks. */
export interface PidfParser {
  /** Feeds the next chunk; throws a CodecError as soon as the input is known to be bad. */
  write(chunk: Uint8Array | string): void;
  /** Ends the input and returns the document, or throws a CodecError. */
  end(): PidfParseResult;
}

/** Creates an incremental parser (see `parsePidf` for the one-shot form). */
export function createPidfParser(options: PidfParseOptions = {}): PidfParser {
  return new IncrementalPidfParser(options);
}

/** Parses a whole `application/pidf+xml` body. */
export function parsePidf(input: Uint8Array | string, options: PidfParseOptions = {}): PidfParseResult {
  const parser = createPidfParser(options);
  parser.write(input);
  return parser.end();
}

function isUtf8Label(label: string): boolean {
  // US-ASCII is a subset of UTF-8, so a document declared as ASCII decodes the same way.
  return /^(utf-?8|us-ascii|ascii)$/i.test(label.trim());
}

class IncrementalPidfParser implements PidfParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly sax = new SaxesParser({ xmlns: true, position: true });
  private readonly chunks: Uint8Array[] = [];
  private byteLength = 0;
  /** Everything handed to saxes so far (saxes positions index into this string). */
  private fed = '';
  private bomSkipped = false;
  private started = false;
  private failure: CodecError | null = null;
  private done = false;
  private readonly state: PidfBuilderState;

  constructor(private readonly options: PidfParseOptions) {
    if (options.charset !== undefined && !isUtf8Label(options.charset)) {
      // RFC 3863 7 requires UTF-8 support; nothing else is implemented, so say so clearly.
      throw new CodecError(`unsupported charset "${options.charset}" (only UTF-8 is accepted)`, 'RFC 3863 7');
    }
    this.state = new PidfBuilderState(options.lenient === true, (offset) => this.positionOfTextIndex(offset));
    this.wire();
  }

  write(chunk: Uint8Array | string): void {
    this.guard();
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    this.chunks.push(bytes);
    this.byteLength += bytes.length;
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: true });
    } catch {
      this.fail(this.utf8Error());
    }
    this.feed(text);
  }

  end(): PidfParseResult {
    this.guard();
    this.done = true;
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      this.fail(this.utf8Error());
    }
    this.feed(rest);
    this.run(() => this.sax.close());
    try {
      return this.state.finish(this.fed.length);
    } catch (e) {
      this.fail(e);
    }
  }

  private guard(): void {
    if (this.failure) throw this.failure;
    if (this.done) throw new CodecError('the PIDF parser was already ended', 'API');
  }

  private feed(text: string): void {
    if (text.length === 0) return;
    if (!this.started) {
      this.started = true;
      // XML 1.0 4.3.3: a UTF-8 document may start with a byte order mark; it is not content.
      if (text.charCodeAt(0) === 0xfeff) {
        this.bomSkipped = true;
        text = text.slice(1);
        if (text.length === 0) return;
      }
    }
    this.fed += text;
    this.run(() => this.sax.write(text));
  }

  private run(action: () => void): void {
    try {
      action();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): never {
    const err =
      e instanceof CodecError
        ? e
        : new CodecError(`internal parser error: ${e instanceof Error ? e.message : String(e)}`, XML_RULE);
    this.failure = err;
    throw err;
  }

  private utf8Error(): CodecError {
    const all = this.allBytes();
    const at = firstInvalidUtf8(all);
    const offset = at < 0 ? all.length : at;
    // RFC 3863 7: the body is UTF-8 (or as the charset says); ill-formed octets are fatal.
    return new CodecError('ill-formed UTF-8', 'RFC 3863 7, RFC 3629 3', positionAt(all, offset));
  }

  private allBytes(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  /** Octet position of a code-unit index into `fed`. */
  private positionOfTextIndex(index: number): Position {
    const i = Math.max(0, Math.min(index, this.fed.length));
    const offset = (this.bomSkipped ? 3 : 0) + new TextEncoder().encode(this.fed.slice(0, i)).length;
    return positionAt(this.allBytes(), offset);
  }

  /** Index of the `<` that starts the tag whose name saxes has just read. */
  private tagStart(): number {
    const at = this.fed.lastIndexOf('<', Math.max(0, this.sax.position - 1));
    return at < 0 ? this.sax.position : at;
  }

  private wire(): void {
    const sax = this.sax;
    const maxDepth = this.options.maxDepth ?? PIDF_MAX_DEPTH;
    let tagStart = 0;
    let depth = 0;
    sax.on('error', (err) => {
      // saxes prefixes "line:column: "; positions are recomputed in octets below.
      const message = err.message.replace(/^\d+:\d+: /, '');
      throw new CodecError(
        `XML is not well-formed: ${message}`,
        XML_RULE,
        this.positionOfTextIndex(sax.position - 1),
      );
    });
    sax.on('xmldecl', (decl) => {
      const declared = decl.encoding;
      if (declared !== undefined && this.options.charset === undefined && !isUtf8Label(declared)) {
        throw new CodecError(
          `unsupported encoding "${declared}" (only UTF-8 is accepted)`,
          'RFC 3863 7',
          this.positionOfTextIndex(0),
        );
      }
      this.state.sawXmlDeclaration();
    });
    sax.on('doctype', () => {
      const at = this.fed.lastIndexOf('<!DOCTYPE');
      // Checklist row 63 (hardening): no DTD processing at all, so no entity expansion
      // ("billion laughs") and no external entity fetches.
      throw new CodecError(
        'DOCTYPE declarations are refused (entity expansion, external entities)',
        DTD_RULE,
        this.positionOfTextIndex(at < 0 ? sax.position : at),
      );
    });
    sax.on('opentagstart', () => {
      tagStart = this.tagStart();
      // Issue 13 hardening: refuse before saxes resolves the namespaces of a too-deep element
      // (its cost grows with the depth, so unbounded nesting is quadratic).
      if (++depth > maxDepth) {
        throw new CodecError(
          `elements nested deeper than ${maxDepth} levels`,
          'hardening: nesting limit (issue 13)',
          this.positionOfTextIndex(tagStart),
        );
      }
    });
    sax.on('opentag', (tag: SaxesTagNS) => {
      this.state.open(tag, tagStart);
    });
    sax.on('closetag', () => {
      depth--;
      this.state.close();
    });
    sax.on('text', (text) => this.state.text(text, sax.position));
    sax.on('cdata', (text) => this.state.text(text, sax.position));
  }
}
