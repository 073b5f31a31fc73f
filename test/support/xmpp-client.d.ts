/**
 * The part of @xmpp/client 0.14 (which ships no types) the XMPP tests use: a client entity
 * with the same element class as @xmpp/component (both build ltx elements).
 */
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';
  import type { Element, XmlBuilder } from '@xmpp/component';

  export const xml: XmlBuilder;

  export interface Client extends EventEmitter {
    status: string;
    jid: { toString(): string; bare(): { toString(): string } } | null;
    socket: Socket | null;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    /** Writes raw text on the stream (the hostile tests). */
    write(data: string): Promise<void>;
    iqCaller: { request(element: Element, timeoutMs?: number): Promise<Element> };
    reconnect: { stop(): void };
  }

  export function client(options: {
    service: string;
    domain: string;
    username: string;
    password: string;
    resource?: string;
  }): Client;
}
