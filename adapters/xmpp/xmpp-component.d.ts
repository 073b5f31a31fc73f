/**
 * The part of @xmpp/component 0.13.1 (which ships no types) the XMPP adapter uses: the element
 * class and builder of @xmpp/xml (ltx elements; the builder escapes text and attribute values),
 * and the component entity of @xmpp/component-core with the connection internals the adapter
 * replaces (the parser class, the data and parser-error handlers; see stream-parser.ts).
 * Shapes follow lib/Connection.js and ltx/lib/Element.js of those versions.
 */
declare module '@xmpp/component' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export class Element {
    constructor(name: string, attrs?: Record<string, string | undefined>);
    name: string;
    attrs: Record<string, string | undefined>;
    children: (Element | string)[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    append(...children: (Element | string)[]): Element;
    t(text: string): Element;
    c(name: string, attrs?: Record<string, string | undefined>): Element;
    toString(): string;
  }

  type Child = Element | string | undefined | null | false | readonly Child[];

  export interface XmlBuilder {
    (name: string, attrs?: Record<string, string | undefined> | null, ...children: Child[]): Element;
    Element: typeof Element;
  }
  export const xml: XmlBuilder;

  /** What @xmpp/connection expects of `entity.Parser` instances. */
  export interface StreamParser extends EventEmitter {
    write(data: string | Buffer): void;
    end(data?: string): void;
  }

  /** What @xmpp/iq/callee hands a route handler (middleware/lib/IncomingContext.js). */
  export interface IqContext {
    readonly stanza: Element;
    /** The query child. */
    readonly element: Element;
    readonly from: { toString(): string } | null;
    readonly to: { toString(): string } | null;
  }
  /** A result child or an `<error/>` element; `true`: an empty result; nothing: `service-unavailable`. */
  export type IqHandler = (
    ctx: IqContext,
  ) => Element | true | undefined | Promise<Element | true | undefined>;

  export interface Component extends EventEmitter {
    /** Answers get/set IQs by the query's name and namespace; unrouted ones get `service-unavailable`. */
    /** Sends an IQ and resolves with its result, rejects on an error answer or the timeout. */
    iqCaller: { request(element: Element, timeoutMs?: number): Promise<Element> };
    iqCallee: {
      get(ns: string, name: string, h: IqHandler): void;
      set(ns: string, name: string, h: IqHandler): void;
    };
    status: string;
    options: { service: string; domain: string };
    jid: { toString(): string } | null;
    /** Replaced per entity by the adapter's safe parser (stream-parser.ts). */
    Parser: new () => StreamParser;
    parser: StreamParser | null;
    socket: Socket | null;
    _onData(data: Buffer): void;
    _onParserError(error: Error): void;
    _detachParser(): void;
    _streamError(condition: string, children?: Element[]): Promise<unknown>;
    reconnect: { stop(): void; delay: number };
    start(): Promise<void>;
    stop(): Promise<unknown>;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<unknown>;
    disconnect(timeout?: number): Promise<void>;
    send(element: Element): Promise<void>;
    write(data: string): Promise<void>;
  }

  export function component(options: { service: string; domain: string; password: string }): Component;
}
