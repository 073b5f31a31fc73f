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
import { scanPidf } from './scan-pidf.js';

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

/**
 * Parses a whole `application/pidf+xml` body: the common shape in one pass (scan-pidf.ts),
 * anything else, and every fault, by saxes and the builder (the same result either way).
 */
export function parsePidf(input: Uint8Array | string, options: PidfParseOptions = {}): PidfParseResult {
  const fast = scanPidf(decodeWhole(input), options);
  if (fast !== null) return fast;
  return parsePidfFull(input, options);
}

/** `parsePidf` by saxes and the builder alone (the common-shape scan's reference, parse-scan.test.ts). */
export function parsePidfFull(input: Uint8Array | string, options: PidfParseOptions = {}): PidfParseResult {
  const parser = new IncrementalPidfParser(options);
  parser.writeWhole(input);
  return parser.end();
}

/**
 * The decoder of whole documents (`parsePidf`): a non-streaming `decode` keeps no state between
 * calls, so one serves every document (making one costs more than decoding a small document).
 */
let wholeDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The document as text without its byte order mark, or "" when it is not UTF-8 (saxes reports it). */
function decodeWhole(input: Uint8Array | string): string {
  let text: string;
  try {
    text = wholeDecoder.decode(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  } catch {
    wholeDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return '';
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isUtf8Label(label: string): boolean {
  // US-ASCII is a subset of UTF-8, so a document declared as ASCII decodes the same way.
  return /^(utf-?8|us-ascii|ascii)$/i.test(label.trim());
}

/** The handlers a PIDF parse gives saxes (SaxHost binds them to the parser it serves). */
interface SaxHandlers {
  errorHandler: (err: Error) => void;
  xmldeclHandler: (decl: { encoding?: string | undefined }) => void;
  doctypeHandler: () => void;
  openTagStartHandler: () => void;
  openTagHandler: (tag: SaxesTagNS) => void;
  closeTagHandler: () => void;
  textHandler: (text: string) => void;
  cdataHandler: (text: string) => void;
}

/**
 * Whether saxes keeps each event's handler in the field named as in `SaxHandlers` (saxes 6:
 * `on('text', h)` sets `textHandler`), checked once on a throwaway parser.
 */
const NAMED_HANDLERS = ((): boolean => {
  const probe = new SaxesParser({ xmlns: true, position: true });
  const events = {
    error: 'errorHandler',
    xmldecl: 'xmldeclHandler',
    doctype: 'doctypeHandler',
    opentagstart: 'openTagStartHandler',
    opentag: 'openTagHandler',
    closetag: 'closeTagHandler',
    text: 'textHandler',
    cdata: 'cdataHandler',
  } as const;
  return Object.entries(events).every(([event, field]) => {
    const h = (): void => {};
    probe.on(event as 'text', h);
    return (probe as unknown as Record<string, unknown>)[field] === h;
  });
})();

/**
 * A saxes parser with its handlers set once, lent to one PIDF parser at a time (`owner`).
 * Issue 18, measured: saxes `on()` stores each handler under a computed name, and V8 turns an
 * object that gets many properties by computed name into a slow dictionary object; every field
 * saxes reads per character was then a hash lookup (a small document took 4 to 5 times as
 * long as saxes without handlers). Handlers are therefore written as named fields (when saxes
 * names them as checked by NAMED_HANDLERS). And saxes resets itself after a successful
 * `close()` (its `end()` calls `_init()`), so one parser serves document after document; a
 * parse that fails leaves saxes mid-document, and that one is dropped, never lent again.
 */
class SaxHost {
  readonly sax = new SaxesParser({ xmlns: true, position: true });
  owner: IncrementalPidfParser | null = null;

  constructor() {
    const h: SaxHandlers = {
      errorHandler: (err) => this.owner!.onError(err),
      xmldeclHandler: (decl) => this.owner!.onXmlDecl(decl.encoding),
      doctypeHandler: () => this.owner!.onDoctype(),
      openTagStartHandler: () => this.owner!.onOpenTagStart(),
      openTagHandler: (tag) => this.owner!.onOpenTag(tag),
      closeTagHandler: () => this.owner!.onCloseTag(),
      textHandler: (text) => this.owner!.onText(text),
      cdataHandler: (text) => this.owner!.onText(text),
    };
    if (NAMED_HANDLERS) {
      const fields = this.sax as unknown as SaxHandlers;
      fields.errorHandler = h.errorHandler;
      fields.xmldeclHandler = h.xmldeclHandler;
      fields.doctypeHandler = h.doctypeHandler;
      fields.openTagStartHandler = h.openTagStartHandler;
      fields.openTagHandler = h.openTagHandler;
      fields.closeTagHandler = h.closeTagHandler;
      fields.textHandler = h.textHandler;
      fields.cdataHandler = h.cdataHandler;
      return;
    }
    const sax = this.sax;
    sax.on('error', h.errorHandler);
    sax.on('xmldecl', h.xmldeclHandler);
    sax.on('doctype', h.doctypeHandler);
    sax.on('opentagstart', h.openTagStartHandler);
    sax.on('opentag', h.openTagHandler);
    sax.on('closetag', h.closeTagHandler);
    sax.on('text', h.textHandler);
    sax.on('cdata', h.cdataHandler);
  }
}

/** The host ready to lend (at most one is kept; a second parser at the same time makes its own). */
let idleHost: SaxHost | null = null;

function takeHost(owner: IncrementalPidfParser): SaxHost {
  const host = idleHost ?? new SaxHost();
  idleHost = null;
  host.owner = owner;
  return host;
}

class IncrementalPidfParser implements PidfParser {
  /** The streaming decoder of `write`, made on first use (`writeWhole` needs none). */
  private decoder: InstanceType<typeof TextDecoder> | null = null;
  private readonly host: SaxHost;
  private readonly sax: SaxesParser<{ xmlns: true; position: true }>;
  private readonly chunks: Uint8Array[] = [];
  private byteLength = 0;
  /** Everything handed to saxes so far (saxes positions index into this string). */
  private fed = '';
  private bomSkipped = false;
  private started = false;
  private failure: CodecError | null = null;
  private done = false;
  private readonly state: PidfBuilderState;
  private readonly maxDepth: number;
  private tagStartIndex = 0;
  private depth = 0;

  constructor(private readonly options: PidfParseOptions) {
    if (options.charset !== undefined && !isUtf8Label(options.charset)) {
      // RFC 3863 7 requires UTF-8 support; nothing else is implemented, so say so clearly.
      throw new CodecError(`unsupported charset "${options.charset}" (only UTF-8 is accepted)`, 'RFC 3863 7');
    }
    this.maxDepth = options.maxDepth ?? PIDF_MAX_DEPTH;
    this.state = new PidfBuilderState(options.lenient === true, this);
    this.host = takeHost(this);
    this.sax = this.host.sax;
  }

  write(chunk: Uint8Array | string): void {
    this.guard();
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    this.chunks.push(bytes);
    this.byteLength += bytes.length;
    let text: string;
    try {
      this.decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      text = this.decoder.decode(bytes, { stream: true });
    } catch {
      this.fail(this.utf8Error());
    }
    this.feed(text);
  }

  /** The whole document at once, then `end()`: no streaming decoder. */
  writeWhole(input: Uint8Array | string): void {
    this.guard();
    const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
    this.chunks.push(bytes);
    this.byteLength += bytes.length;
    let text: string;
    try {
      text = wholeDecoder.decode(bytes);
    } catch {
      // A fresh one for the next document, whatever state the failure left.
      wholeDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      this.fail(this.utf8Error());
    }
    this.feed(text);
  }

  end(): PidfParseResult {
    this.guard();
    this.done = true;
    if (this.decoder !== null) {
      let rest: string;
      try {
        rest = this.decoder.decode();
      } catch {
        this.fail(this.utf8Error());
      }
      this.feed(rest);
    }
    try {
      this.sax.close();
    } catch (e) {
      this.fail(e);
    }
    // saxes reset itself: the host can serve the next document.
    this.host.owner = null;
    idleHost = this.host;
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
    try {
      this.sax.write(text);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): never {
    const err =
      e instanceof CodecError
        ? e
        : new CodecError(`internal parser error: ${e instanceof Error ? e.message : String(e)}`, XML_RULE);
    // saxes stopped mid-document: its host is not lent again (see SaxHost).
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

  /** Octet position of a code-unit index into `fed` (the builder's `positionOf`). */
  positionOf(index: number): Position {
    const i = Math.max(0, Math.min(index, this.fed.length));
    const offset = (this.bomSkipped ? 3 : 0) + new TextEncoder().encode(this.fed.slice(0, i)).length;
    return positionAt(this.allBytes(), offset);
  }

  /** Index of the `<` that starts the tag whose name saxes has just read. */
  private tagStart(): number {
    // `lastIndexOf('<', position - 1)` by hand: the scan covers the tag name only, shorter than a builtin call.
    const fed = this.fed;
    let at = Math.min(Math.max(0, this.sax.position - 1), fed.length - 1);
    while (at >= 0 && fed.charCodeAt(at) !== 0x3c) at--;
    return at < 0 ? this.sax.position : at;
  }

  // saxes events (SaxHost).

  onError(err: Error): never {
    // saxes prefixes "line:column: "; positions are recomputed in octets below.
    const message = err.message.replace(/^\d+:\d+: /, '');
    throw new CodecError(
      `XML is not well-formed: ${message}`,
      XML_RULE,
      this.positionOf(this.sax.position - 1),
    );
  }

  onXmlDecl(declared: string | undefined): void {
    if (declared !== undefined && this.options.charset === undefined && !isUtf8Label(declared)) {
      throw new CodecError(
        `unsupported encoding "${declared}" (only UTF-8 is accepted)`,
        'RFC 3863 7',
        this.positionOf(0),
      );
    }
    this.state.sawXmlDeclaration();
  }

  onDoctype(): never {
    const at = this.fed.lastIndexOf('<!DOCTYPE');
    // Checklist row 63 (hardening): no DTD processing at all, so no entity expansion
    // ("billion laughs") and no external entity fetches.
    throw new CodecError(
      'DOCTYPE declarations are refused (entity expansion, external entities)',
      DTD_RULE,
      this.positionOf(at < 0 ? this.sax.position : at),
    );
  }

  onOpenTagStart(): void {
    this.tagStartIndex = this.tagStart();
    // Issue 13 hardening: refuse before saxes resolves the namespaces of a too-deep element
    // (its cost grows with the depth, so unbounded nesting is quadratic).
    if (++this.depth > this.maxDepth) {
      throw new CodecError(
        `elements nested deeper than ${this.maxDepth} levels`,
        'hardening: nesting limit (issue 13)',
        this.positionOf(this.tagStartIndex),
      );
    }
  }

  onOpenTag(tag: SaxesTagNS): void {
    this.state.open(tag, this.tagStartIndex);
  }

  onCloseTag(): void {
    this.depth--;
    this.state.close();
  }

  onText(text: string): void {
    this.state.text(text, this.sax.position);
  }
}
