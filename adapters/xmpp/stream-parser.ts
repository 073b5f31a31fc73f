/**
 * The XML parser of the component stream, in place of @xmpp/xml's ltx parser (which treats a
 * DOCTYPE as a comment, throws "Illegal XML entity" from the socket's data handler on an
 * unknown entity, and has no size bound). Built on saxes: no DTD processing, no entity
 * expansion, no external entities (test: stream-parser.test.ts).
 *
 * RFC 6120 §11.1 (restricted XML): a stream MUST NOT contain DTDs, comments or processing
 * instructions (the XML declaration at the start aside) nor entity references other than the
 * predefined ones; they end the stream with `restricted-xml`, anything not well-formed with
 * `not-well-formed` (§4.9.3.13, §4.9.3.18). Stanza size (XEP-0114 has none; the adapter's
 * `limits.maxStanzaBytes`): past the limit the rest of a stanza is dropped as it is read, and the
 * stanza is emitted with its attributes only and marked in `oversized`, so the adapter answers
 * its sender with a stanza error and the stream goes on serving everyone else. Raw input piling
 * up inside one stanza past `hardLimitBytes` (a server that never closes a stanza) ends the stream
 * with `policy-violation`.
 *
 * Events, as @xmpp/connection expects of its parser: `start` (the stream header), `element`
 * (each complete top-level child), `end`, `error`.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { xml, type Element } from '@xmpp/component';

/** Stanzas whose content was dropped for size; the adapter answers them with an error. */
export const oversized = new WeakSet<Element>();

/** A stream-level failure with its RFC 6120 §4.9.3 condition. */
export class StreamXmlError extends Error {
  constructor(
    readonly condition: 'restricted-xml' | 'not-well-formed' | 'policy-violation',
    message: string,
  ) {
    super(message);
    this.name = 'StreamXmlError';
  }
}

export interface StreamParserLimits {
  /** A stanza larger than this (names, attributes, text, in UTF-8 bytes) is emitted empty. */
  readonly maxStanzaBytes: number;
}

/** Raw input allowed inside one stanza before the stream is closed: 8× the limit, at least 1 MiB. */
export const hardLimitBytes = (l: StreamParserLimits): number => Math.max(8 * l.maxStanzaBytes, 1 << 20);

export class XmppStreamParser extends EventEmitter {
  private readonly sax = new SaxesParser({ xmlns: false });
  private readonly decoder = new StringDecoder('utf8');
  private root: Element | null = null;
  /** Open elements below the root; [0] is the current stanza. */
  private readonly stack: Element[] = [];
  private size = 0;
  private dropping = false;
  private raw = 0;
  private failed = false;
  private readonly hardLimit: number;

  constructor(private readonly limits: StreamParserLimits) {
    super();
    this.hardLimit = hardLimitBytes(limits);
    const sax = this.sax;
    sax.on('error', (e) => this.fail('not-well-formed', e.message));
    sax.on('doctype', () => this.fail('restricted-xml', 'a DOCTYPE in the stream (RFC 6120 §11.1)'));
    sax.on('comment', () => this.fail('restricted-xml', 'a comment in the stream (RFC 6120 §11.1)'));
    sax.on('processinginstruction', () =>
      this.fail('restricted-xml', 'a processing instruction in the stream (RFC 6120 §11.1)'),
    );
    sax.on('opentag', (tag) => this.open(tag));
    sax.on('closetag', () => this.close());
    sax.on('text', (t) => this.text(t));
    sax.on('cdata', (t) => this.text(t));
  }

  write(data: string | Buffer): void {
    if (this.failed) return;
    const text = typeof data === 'string' ? data : this.decoder.write(data);
    if (this.stack.length > 0) {
      this.raw += text.length;
      if (this.raw > this.hardLimit) {
        this.fail('policy-violation', `more than ${this.hardLimit} bytes inside one stanza`);
        return;
      }
    }
    try {
      this.sax.write(text);
    } catch (e) {
      // saxes throws from write() when no error handler swallows; ours records and stops.
      this.fail('not-well-formed', e instanceof Error ? e.message : String(e));
    }
  }

  end(data?: string): void {
    if (data !== undefined) this.write(data);
  }

  private fail(condition: StreamXmlError['condition'], message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.emit('error', new StreamXmlError(condition, message));
  }

  private open(tag: SaxesTagPlain): void {
    if (this.failed) return;
    const attrs = tag.attributes as Record<string, string>;
    if (this.root === null) {
      this.root = new xml.Element(tag.name, attrs);
      this.emit('start', this.root);
      return;
    }
    if (this.stack.length === 0) {
      this.size = 0;
      this.dropping = false;
    }
    this.count(tag.name.length * 2 + 5);
    for (const [k, v] of Object.entries(attrs)) this.count(k.length + Buffer.byteLength(v) + 4);
    const el = new xml.Element(tag.name, attrs);
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined && !this.dropping) parent.append(el);
    this.stack.push(el);
  }

  private close(): void {
    if (this.failed) return;
    const el = this.stack.pop();
    if (el === undefined) {
      // The root closed: the stream ended (RFC 6120 §4.4).
      if (this.root !== null) this.emit('end', this.root);
      return;
    }
    if (this.stack.length > 0) return;
    this.raw = 0;
    el.parent = this.root;
    if (this.dropping) {
      el.children = [];
      oversized.add(el);
    }
    this.emit('element', el);
  }

  private text(t: string): void {
    if (this.failed || this.stack.length === 0) return; // whitespace between stanzas
    this.count(Buffer.byteLength(t));
    if (!this.dropping) this.stack[this.stack.length - 1]!.t(t);
  }

  private count(n: number): void {
    this.size += n;
    if (this.size > this.limits.maxStanzaBytes) this.dropping = true;
  }
}
