/**
 * The PIDF structure rules (RFC 3863 4.1 and the 4.4 schema), applied to namespace-resolved
 * element events as they arrive. Element identity is always (namespace URI, local name),
 * never the prefix, so `<impp:tuple>` and a default-namespace `<tuple>` are the same thing
 * and a PIDF-looking `<basic>` inside an unknown wrapper is never taken for the real one.
 */
import type { SaxesTagNS } from 'saxes';
import { CodecError } from '../../errors.js';
import type { Position } from '../../errors.js';
import { PIDF_NS, isAbsoluteUri, isNcName } from './types.js';
import { LeafReport, readBasic, readContact, readTimestamp } from './values.js';
import { isSingleton, isXmlSpace, langOf, pidfRank, plainAttribute, wildcardRank } from './schema-order.js';
import type { Container } from './schema-order.js';
import type { LeafReporter } from './values.js';
import type {
  Basic,
  PidfContact,
  PidfDocument,
  PidfNote,
  PidfParseResult,
  PidfTuple,
  PidfWarning,
  XmlAttribute,
  XmlChild,
  XmlElement,
} from './types.js';

type Leaf = 'basic' | 'contact' | 'note' | 'timestamp';

interface ContainerFrame {
  kind: Container;
  /** Code-unit index of the element's "<" (converted to a Position only when reported). */
  position: number;
  /** Rank of the last child seen, for the schema's sequence order. */
  lastRank: number;
  lastName: string;
  childCount: number;
  /** False for a duplicate singleton dropped in lenient mode. */
  keep?: boolean;
  // tuple / status / presence content
  id?: string;
  basic?: Basic | null;
  statusSeen?: boolean;
  statusExtensions?: XmlElement[];
  extensions: XmlElement[];
  contact?: PidfContact | null;
  notes: PidfNote[];
  timestamp?: string | null;
  tuples?: PidfTuple[];
}

interface LeafFrame {
  kind: Leaf;
  position: number;
  text: string;
  attributes: SaxesTagNS['attributes'];
  /** False for a duplicate singleton dropped in lenient mode. */
  keep: boolean;
}

interface ExtFrame {
  kind: 'ext';
  position: number;
  ns: string | null;
  name: string;
  attributes: XmlAttribute[];
  children: XmlChild[];
}

type Frame = ContainerFrame | LeafFrame | ExtFrame;

const ORDER_RULE: Record<Container, string> = {
  presence: 'RFC 3863 4.1.1, 4.4',
  tuple: 'RFC 3863 4.1.2, 4.4',
  status: 'RFC 3863 4.1.3, 4.4',
};

function mkContainer(kind: Container, position: number): ContainerFrame {
  return { kind, position, lastRank: -1, lastName: '', childCount: 0, extensions: [], notes: [] };
}

/** Collects PIDF content from element events and enforces the RFC 3863 rules. */
export class PidfBuilderState {
  private readonly stack: Frame[] = [];
  private readonly warnings: PidfWarning[] = [];
  private readonly notices: PidfWarning[] = [];
  private readonly ids = new Set<string>();
  private xmlDecl = false;
  private root: ContainerFrame | null = null;
  private entity = '';

  constructor(
    private readonly lenient: boolean,
    /** Converts a code-unit index of the text fed to saxes to an octet position (only when reported). */
    private readonly positions: { positionOf(textIndex: number): Position },
  ) {
    this.leafReport = new LeafReport(lenient, this.warnings, positions);
  }

  sawXmlDeclaration(): void {
    this.xmlDecl = true;
  }

  /** A rule broken: fatal when strict, a warning when lenient. */
  private strictOnly(message: string, rule: string, at: number): void {
    if (!this.lenient) throw new CodecError(message, rule, this.positions.positionOf(at));
    this.warnings.push({ message, rule, position: this.positions.positionOf(at) });
  }

  private warn(message: string, rule: string, at: number): void {
    this.warnings.push({ message, rule, position: this.positions.positionOf(at) });
  }

  private error(message: string, rule: string, at: number): CodecError {
    return new CodecError(message, rule, this.positions.positionOf(at));
  }

  /** The PIDF namespace URI string saxes gave last (the same object for every element in its scope). */
  private pidfNs: string | null = null;

  /**
   * Whether `ns` is the PIDF namespace. saxes hands out the URI as a slice of the document, and
   * comparing a slice with a constant is a slow string comparison in V8; the same slice again is
   * an identity comparison.
   */
  private isPidfNs(ns: string | null): boolean {
    if (ns === this.pidfNs) return ns !== null;
    if (ns !== PIDF_NS) return false;
    this.pidfNs = ns;
    return true;
  }

  open(tag: SaxesTagNS, position: number): void {
    const ns = tag.uri === '' ? null : tag.uri;
    const name = tag.local;
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return this.openRoot(tag, ns, name, position);
    if (top.kind === 'ext') {
      this.stack.push(extFrame(tag, ns, name, position));
      return;
    }
    if (isLeaf(top)) {
      // The 4.4 schema gives these simple (text-only) content.
      throw this.error(
        `<${top.kind}> must contain text only, found element <${tag.name}>`,
        'RFC 3863 4.4',
        position,
      );
    }
    const pidfRankOf = this.isPidfNs(ns) ? pidfRank(top.kind, name) : -1;
    const known = pidfRankOf >= 0;
    const rank = known ? pidfRankOf : wildcardRank(top.kind);
    const label = known ? name : `{${ns ?? ''}}${name}`;
    const duplicate = known && isSingleton(name) && this.hasSingleton(top, name);
    top.childCount++;
    if (duplicate) {
      this.strictOnly(`${top.kind} has more than one ${name}`, ORDER_RULE[top.kind], position);
    } else if (rank < top.lastRank) {
      this.strictOnly(
        `${top.lastName} precedes ${label}; the ${top.kind} children are an ordered sequence`,
        ORDER_RULE[top.kind],
        position,
      );
    }
    if (rank > top.lastRank) {
      top.lastRank = rank;
      top.lastName = label;
    }
    if (!known) {
      if (this.isPidfNs(ns)) {
        // Not defined by RFC 3863 in this place: ignored like any unknown element (4.2.3).
        this.warn(
          `<${name}> in the PIDF namespace is not allowed inside <${top.kind}>; ignored`,
          'RFC 3863 4.2.3, 4.4',
          position,
        );
      }
      this.stack.push(extFrame(tag, ns, name, position));
      return;
    }
    if (name === 'tuple') return this.openTuple(tag, position);
    if (name === 'status') {
      (top as ContainerFrame).statusSeen = true;
      const frame = mkContainer('status', position);
      frame.basic = null;
      frame.statusExtensions = [];
      frame.keep = !duplicate;
      this.stack.push(frame);
      return;
    }
    // The kind as a constant, not saxes' string: later comparisons are then identity checks.
    const kind: Leaf =
      name === 'basic' ? 'basic' : name === 'contact' ? 'contact' : name === 'note' ? 'note' : 'timestamp';
    this.stack.push({ kind, position, text: '', attributes: tag.attributes, keep: !duplicate });
  }

  private hasSingleton(frame: ContainerFrame, name: string): boolean {
    if (name === 'status') return frame.statusSeen === true;
    if (name === 'basic') return frame.basic !== null && frame.basic !== undefined;
    if (name === 'contact') return frame.contact !== undefined && frame.contact !== null;
    if (name === 'timestamp') return frame.timestamp !== undefined && frame.timestamp !== null;
    return false;
  }

  private openRoot(tag: SaxesTagNS, ns: string | null, name: string, position: number): void {
    if (this.root !== null) throw this.error('documents may contain only one root', 'XML 1.0 2.1', position);
    // RFC 3863 4.1: "the XML declaration MUST be present" (XML itself makes it optional).
    if (!this.xmlDecl) {
      if (!this.lenient) throw this.error('no XML declaration', 'RFC 3863 4.1', position);
      this.notices.push({
        message: 'no XML declaration',
        rule: 'RFC 3863 4.1',
        position: this.positions.positionOf(position),
      });
    }
    // RFC 3863 4.1.1, 4.2.2: identity is the namespace URI, not the prefix; the prose's
    // trailing-colon spelling is not the registered URI.
    if (ns !== PIDF_NS || name !== 'presence') {
      throw this.error(`root element is not {${PIDF_NS}}presence`, 'RFC 3863 4.1.1, 4.2.2', position);
    }
    const entityAttr = plainAttribute(tag.attributes, 'entity');
    if (entityAttr === undefined) {
      throw this.error('presence element has no entity attribute', 'RFC 3863 4.1.1', position);
    }
    // xs:anyURI collapses white space.
    const entity = entityAttr.value.trim();
    if (!isAbsoluteUri(entity)) {
      throw this.error(`entity "${entity}" is not an absolute URI`, 'RFC 3863 4.1.1', position);
    }
    if (!/^pres:/i.test(entity)) {
      // 4.1.1: the entity is the presentity's pres: URL; SIP/XMPP gateways often send their own.
      this.warn(`entity "${entity}" is not a pres: URI`, 'RFC 3863 4.1.1', position);
    }
    this.entity = entity;
    const frame = mkContainer('presence', position);
    frame.tuples = [];
    this.root = frame;
    this.stack.push(frame);
  }

  private openTuple(tag: SaxesTagNS, position: number): void {
    const idAttr = plainAttribute(tag.attributes, 'id');
    if (idAttr === undefined || idAttr.value === '') {
      throw this.error('tuple has no id attribute', 'RFC 3863 4.1.2', position);
    }
    const id = idAttr.value;
    // 4.1.2: "unique within the presence document" — ids name tuples across updates.
    if (this.ids.has(id))
      throw this.error('tuple ids must be unique within the document', 'RFC 3863 4.1.2', position);
    this.ids.add(id);
    if (!isNcName(id)) {
      // Schema: xs:ID; prose: "an arbitrary string". docs/cpim.md vector 17 leaves it to policy:
      // accept, but tell the sender.
      this.warn(`tuple id "${id}" is not an xs:ID (NCName)`, 'RFC 3863 4.1.2, 4.4', position);
    }
    const frame = mkContainer('tuple', position);
    frame.id = id;
    frame.basic = null;
    frame.statusExtensions = [];
    frame.contact = null;
    frame.timestamp = null;
    this.stack.push(frame);
  }

  text(text: string, endIndex: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return;
    if (isLeaf(top)) {
      top.text += text;
      return;
    }
    if (top.kind === 'ext') {
      const last = top.children[top.children.length - 1];
      if (typeof last === 'string') top.children[top.children.length - 1] = last + text;
      else if (text !== '') top.children.push(text);
      return;
    }
    if (top.kind === 'presence' || top.kind === 'tuple' || top.kind === 'status') {
      if (isXmlSpace(text)) return;
      this.strictOnly(
        `text is not allowed directly inside <${top.kind}>`,
        'RFC 3863 4.4',
        endIndex - text.length,
      );
    }
  }

  close(): void {
    const frame = this.stack.pop();
    if (frame === undefined) return;
    const parent = this.stack[this.stack.length - 1] as ContainerFrame | ExtFrame | undefined;
    switch (frame.kind) {
      case 'ext': {
        const el: XmlElement = {
          ns: frame.ns,
          name: frame.name,
          attributes: frame.attributes,
          children: frame.children,
        };
        if (parent === undefined) return;
        if (parent.kind === 'ext') parent.children.push(el);
        else if (parent.kind === 'status') parent.statusExtensions!.push(el);
        else parent.extensions.push(el);
        return;
      }
      case 'basic':
        return this.closeBasic(frame, parent as ContainerFrame);
      case 'contact':
        return this.closeContact(frame, parent as ContainerFrame);
      case 'note':
        (parent as ContainerFrame).notes.push({ lang: langOf(frame.attributes), text: frame.text });
        return;
      case 'timestamp':
        return this.closeTimestamp(frame, parent as ContainerFrame);
      case 'status': {
        // 4.1.3: <status> holds at least one child (basic or an extension).
        if (frame.childCount === 0)
          throw this.error('status has no child element', 'RFC 3863 4.1.3', frame.position);
        if (frame.keep === true) {
          const tuple = parent as ContainerFrame;
          tuple.basic = frame.basic ?? null;
          tuple.statusExtensions = frame.statusExtensions!;
        }
        return;
      }
      case 'tuple': {
        if (frame.statusSeen !== true) {
          throw this.error('tuple lacks the mandatory status element', 'RFC 3863 4.1.2', frame.position);
        }
        (parent as ContainerFrame).tuples!.push({
          id: frame.id!,
          basic: frame.basic ?? null,
          statusExtensions: frame.statusExtensions!,
          extensions: frame.extensions,
          contact: frame.contact ?? null,
          notes: frame.notes,
          timestamp: frame.timestamp ?? null,
        });
        return;
      }
      case 'presence':
        return;
    }
  }

  /** Reports for leaf elements (one object per document, no closures): at the leaf's position. */
  private readonly leafReport: LeafReport;

  private reporter(frame: LeafFrame): LeafReporter {
    this.leafReport.at = frame.position;
    return this.leafReport;
  }

  private closeBasic(frame: LeafFrame, status: ContainerFrame): void {
    if (frame.keep) status.basic = readBasic(frame.text, this.reporter(frame));
  }

  private closeContact(frame: LeafFrame, tuple: ContainerFrame): void {
    const attr = plainAttribute(frame.attributes, 'priority');
    if (frame.keep) tuple.contact = readContact(frame.text, attr?.value, this.reporter(frame));
  }

  private closeTimestamp(frame: LeafFrame, tuple: ContainerFrame): void {
    if (frame.keep) tuple.timestamp = readTimestamp(frame.text, this.reporter(frame));
  }

  finish(endIndex: number): PidfParseResult {
    const root = this.root;
    if (root === null) throw this.error('document must contain a root element', 'XML 1.0 2.1', endIndex);
    const doc: PidfDocument = {
      entity: this.entity,
      tuples: root.tuples!,
      notes: root.notes,
      extensions: root.extensions,
    };
    return { document: doc, warnings: this.warnings, notices: this.notices };
  }
}

function isLeaf(frame: Frame): frame is LeafFrame {
  return (
    frame.kind === 'basic' || frame.kind === 'contact' || frame.kind === 'note' || frame.kind === 'timestamp'
  );
}

function extFrame(tag: SaxesTagNS, ns: string | null, name: string, position: number): ExtFrame {
  const attributes: XmlAttribute[] = [];
  for (const a of Object.values(tag.attributes)) {
    // Namespace declarations are syntax, not content; the builder re-declares what it needs.
    if (a.prefix === 'xmlns' || (a.prefix === '' && a.local === 'xmlns')) continue;
    attributes.push({ ns: a.uri === '' ? null : a.uri, name: a.local, value: a.value });
  }
  return { kind: 'ext', position, ns, name, attributes, children: [] };
}
