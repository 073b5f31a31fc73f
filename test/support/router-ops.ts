/**
 * Operations and answers for router tests: building an IMTP/PITP operation or an answer, and
 * reading headers and payloads back (the endpoints that carry them are in router-fakes.ts).
 */
import type { Answer, Header } from '../../src/protocol/index.js';
import type { Operation } from '../../src/router/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array | undefined): string =>
  b === undefined ? '' : new TextDecoder().decode(b);

export const OK: Answer = { status: 'ok', headers: [] };

export function err(type: string, ...extra: Header[]): Answer {
  return { status: 'error', headers: [['Error-Type', type], ...extra] };
}

export function op(
  protocol: 'imtp' | 'pitp',
  method: string,
  headers: Header[],
  payload?: Uint8Array,
): Operation {
  return payload === undefined ? { protocol, method, headers } : { protocol, method, headers, payload };
}

export function send(
  sender: string,
  inbox: string,
  body: string | Uint8Array = 'hi',
  extra: Header[] = [],
): Operation {
  return op(
    'imtp',
    'send',
    [['Sender', sender], ['Inbox', inbox], ...extra],
    typeof body === 'string' ? enc(body) : body,
  );
}

export function headerOf(o: { headers: readonly Header[] } | undefined, name: string): string | undefined {
  return o?.headers.find((h) => h[0] === name)?.[1];
}

export function headersOf(o: { headers: readonly Header[] } | undefined, name: string): string[] {
  return (o?.headers ?? []).filter((h) => h[0] === name).map((h) => h[1]);
}
