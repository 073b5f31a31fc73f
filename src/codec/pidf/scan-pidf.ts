/**
 * The common-shape PIDF parse (issue 18): one pass over the decoded document, straight into the
 * result, for documents the full parser (saxes + validate.ts) would accept with no warning and
 * no notice. Issue 18 measured saxes alone at 1.4-2 times our whole parse's budget for larger
 * documents (a text string per run of indentation, a frame per leaf, namespace objects per
 * tag), which no builder on top of it could win back.
 *
 * "Common" means: an XML declaration (version 1.0, a UTF-8 encoding label unless the MIME
 * charset overrides it), the RFC 3863 4.4 structure in schema order with no duplicate
 * singleton and nothing a warning would be given for (entity a pres: URI, tuple ids unique
 * NCNames, contact an absolute URI, priority a qvalue, basic exactly open/closed, timestamp an
 * RFC 3339 date-time with upper-case T/Z, no stray text, no PIDF element out of place), any
 * extension elements anywhere an extension is allowed, and the XML subset of scan-xml.ts.
 *
 * Anything else returns null and the caller runs the full parser from the start, which reports
 * every fault with its rule and position: this path only accepts, so it can never reject
 * differently, and for what it accepts its result equals the full parser's field for field
 * (parse-scan.test.ts checks both on generated documents). Strict and lenient mode give the
 * same result for such a document, so the scan ignores `lenient`.
 */
import type { CodecError } from '../../errors.js';
import { HAND_OVER } from './scan-text.js';
import { XmlScanner } from './scan-xml.js';
import { PIDF_MAX_DEPTH, PIDF_NS, XML_NS, isAbsoluteUri, isNcName } from './types.js';
import { readBasic, readContact, readTimestamp, type LeafReporter } from './values.js';
import type {
  Basic,
  PidfContact,
  PidfNote,
  PidfParseOptions,
  PidfParseResult,
  PidfTuple,
  XmlChild,
  XmlElement,
} from './types.js';

/** Every warning or fault of a leaf value hands the document over (values.ts decides, as in validate.ts). */
const HAND_OVER_REPORT: LeafReporter = {
  warn(): void {
    throw HAND_OVER;
  },
  strictOnly(): void {
    throw HAND_OVER;
  },
  fail(): CodecError {
    throw HAND_OVER;
  },
};

/** The ranks of RFC 3863 4.4's sequences (schema-order.ts): tuple, then status. */
const T_STATUS = 0;
const T_EXT = 1;
const T_CONTACT = 2;
const T_NOTE = 3;
const T_TIMESTAMP = 4;

class PidfScan {
  readonly x = new XmlScanner();
  /** Depth limit: the caller's, never above the default (deeper documents go to saxes). */
  limit = PIDF_MAX_DEPTH;
  /** Tuple ids seen (4.1.2: unique within the document). */
  private readonly ids = new Set<string>();

  /**
   * The faults found at the root return null rather than throw: a throw that V8 unwinds costs
   * about a microsecond (issue 18, measured), and a non-pres: entity is common.
   */
  document(text: string, options: PidfParseOptions): PidfParseResult | null {
    const x = this.x;
    // RFC 3863 7: the MIME charset overrides the declaration; anything but UTF-8 is refused there.
    if (options.charset !== undefined && !isUtf8Label(options.charset)) return null;
    x.begin(text);
    const encoding = x.xmlDecl();
    if (encoding !== null && options.charset === undefined && !isUtf8Label(encoding)) return null;
    this.limit = Math.min(options.maxDepth ?? PIDF_MAX_DEPTH, PIDF_MAX_DEPTH);
    // PIDF itself nests four deep (presence, tuple, status, basic); below that, saxes decides.
    if (this.limit < 4) return null;
    this.ids.clear();
    x.space();
    if (x.atEndTag()) throw HAND_OVER;
    const saved = x.startTag();
    if (x.local !== 'presence' || x.uri !== PIDF_NS) return null;
    const raw = x.plain('entity');
    if (raw === undefined) return null;
    const entity = raw.trim();
    if (!isAbsoluteUri(entity) || !/^pres:/i.test(entity)) return null;
    const nameStart = x.nameStart;
    const nameEnd = x.nameEnd;
    const tuples: PidfTuple[] = [];
    const notes: PidfNote[] = [];
    const extensions: XmlElement[] = [];
    if (!x.empty) {
      // <tuple>* <note>* <any>*
      let last = -1;
      for (;;) {
        x.space();
        if (x.atEndTag()) break;
        const inner = x.startTag();
        const local: string = x.local;
        const rank = x.uri !== PIDF_NS ? 2 : local === 'tuple' ? 0 : local === 'note' ? 1 : -1;
        if (rank < 0 || rank < last) throw HAND_OVER; // a PIDF element not allowed here, or out of order
        last = rank;
        if (rank === 0) tuples.push(this.tuple());
        else if (rank === 1) notes.push(this.note());
        else extensions.push(this.extension(2));
        x.leave(inner);
      }
      x.endTag(nameStart, nameEnd);
    }
    x.leave(saved);
    x.trailingSpace();
    return { document: { entity, tuples, notes, extensions }, warnings: [], notices: [] };
  }

  /** Lets go of the document (the scanner is kept between parses). */
  release(): void {
    this.ids.clear();
    this.x.end();
  }

  private tuple(): PidfTuple {
    const x = this.x;
    const id = x.plain('id');
    if (id === undefined || id === '' || this.ids.has(id) || !isNcName(id)) throw HAND_OVER;
    this.ids.add(id);
    if (x.empty) throw HAND_OVER; // no <status>
    const nameStart = x.nameStart;
    const nameEnd = x.nameEnd;
    let basic: Basic | null = null;
    let statusExtensions: XmlElement[] | null = null;
    const extensions: XmlElement[] = [];
    let contact: PidfContact | null = null;
    const notes: PidfNote[] = [];
    let timestamp: string | null = null;
    // <status> <any>* <contact>? <note>* <timestamp>?
    let last = -1;
    for (;;) {
      x.space();
      if (x.atEndTag()) break;
      const inner = x.startTag();
      const rank = x.uri !== PIDF_NS ? T_EXT : tupleRank(x.local);
      // Out of order, a second singleton (status, contact, timestamp), or not allowed here.
      if (rank < 0 || rank < last || (rank === last && rank !== T_EXT && rank !== T_NOTE)) throw HAND_OVER;
      last = rank;
      switch (rank) {
        case T_STATUS:
          statusExtensions = this.status();
          basic = this.basic;
          break;
        case T_EXT:
          extensions.push(this.extension(3));
          break;
        case T_CONTACT: {
          const priority = x.plain('priority');
          contact = readContact(this.leafText(), priority, HAND_OVER_REPORT);
          break;
        }
        case T_NOTE:
          notes.push(this.note());
          break;
        default:
          timestamp = readTimestamp(this.leafText(), HAND_OVER_REPORT);
      }
      x.leave(inner);
    }
    x.endTag(nameStart, nameEnd);
    if (statusExtensions === null) throw HAND_OVER; // RFC 3863 4.1.2: status is mandatory
    return { id, basic, statusExtensions, extensions, contact, notes, timestamp };
  }

  /** The `<basic>` of the status just read (`status()` returns its extensions). */
  private basic: Basic | null = null;

  private status(): XmlElement[] {
    const x = this.x;
    if (x.empty) throw HAND_OVER; // 4.1.3: at least one child
    const nameStart = x.nameStart;
    const nameEnd = x.nameEnd;
    let basic: Basic | null = null;
    const extensions: XmlElement[] = [];
    let children = 0;
    // <basic>? <any>*
    for (;;) {
      x.space();
      if (x.atEndTag()) break;
      const inner = x.startTag();
      if (x.uri === PIDF_NS) {
        if (x.local !== 'basic' || children > 0) throw HAND_OVER;
        basic = readBasic(this.leafText(), HAND_OVER_REPORT);
      } else {
        extensions.push(this.extension(4));
      }
      children++;
      x.leave(inner);
    }
    x.endTag(nameStart, nameEnd);
    if (children === 0) throw HAND_OVER;
    this.basic = basic;
    return extensions;
  }

  private note(): PidfNote {
    const lang = this.x.qualified(XML_NS, 'lang');
    return { lang: lang ?? null, text: this.leafText() };
  }

  /** The text of a leaf element whose start tag was just read, through its end tag. */
  private leafText(): string {
    const x = this.x;
    if (x.empty) return '';
    const nameStart = x.nameStart;
    const nameEnd = x.nameEnd;
    const text = x.text();
    if (!x.atEndTag()) throw HAND_OVER; // an element, a comment or CDATA inside the leaf
    x.endTag(nameStart, nameEnd);
    return text;
  }

  /** An extension element whose start tag was just read, at nesting `depth` (the root is 1). */
  private extension(depth: number): XmlElement {
    const x = this.x;
    if (depth > this.limit) throw HAND_OVER;
    const ns = x.uri === '' ? null : x.uri;
    const name = x.local;
    const attributes = x.extAttributes();
    const children: XmlChild[] = [];
    if (!x.empty) {
      const nameStart = x.nameStart;
      const nameEnd = x.nameEnd;
      for (;;) {
        const text = x.text();
        if (text !== '') children.push(text);
        if (x.atEndTag()) break;
        const inner = x.startTag();
        children.push(this.extension(depth + 1));
        x.leave(inner);
      }
      x.endTag(nameStart, nameEnd);
    }
    return { ns, name, attributes, children };
  }
}

function tupleRank(local: string): number {
  switch (local) {
    case 'status':
      return T_STATUS;
    case 'contact':
      return T_CONTACT;
    case 'note':
      return T_NOTE;
    case 'timestamp':
      return T_TIMESTAMP;
  }
  return -1;
}

/** As parse.ts: US-ASCII is a subset of UTF-8, so a document declared as ASCII decodes the same way. */
function isUtf8Label(label: string): boolean {
  return /^(utf-?8|us-ascii|ascii)$/i.test(label.trim());
}

const scan = new PidfScan();

/**
 * The document in `text` (decoded, byte order mark removed) when it has the common shape, else
 * null (then the full parser decides).
 */
export function scanPidf(text: string, options: PidfParseOptions): PidfParseResult | null {
  try {
    return scan.document(text, options);
  } catch {
    // HAND_OVER, or a fault of this path: either way the full parser decides.
    return null;
  } finally {
    scan.release();
  }
}
