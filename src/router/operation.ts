/**
 * The protocol-shaped unit the router works on: one IMTP/PITP command (an `Operation`) and its
 * answer (an `Answer`), without command ids, framing or sockets (design.md part 4). TCP clients,
 * peer gateways and in-process adapters all reach the router in this one shape, so an adapter
 * could equally run out of process as a hub client (design.md part 5).
 *
 * Headers are kept in their order with duplicates and unknown names (draft §8, §10: relays
 * forward unknown headers unmodified and every value of a repeated header; part 3 rows 11, 12).
 * `Content-Length` is never listed: the payload's presence is `payload !== undefined`.
 * Command ids and CPIM TransIDs stay with the wire layer (hub-protocol.md part 5.2).
 */
import { CodecError, HubError, type ErrorType } from '../errors.js';
import type { Pattern } from '../model/index.js';

export type Header = readonly [name: string, value: string];
export type Headers = readonly Header[];
export type Protocol = 'imtp' | 'pitp';

export interface Operation {
  readonly protocol: Protocol;
  readonly method: string;
  /** In order, duplicates kept, unknown ones kept for relaying. */
  readonly headers: Headers;
  /** The payload octets, passed on by reference and never re-serialized. */
  readonly payload?: Uint8Array;
}

/**
 * An answer. Error answers carry `Error-Type` (MUST), optionally `Error-Description`, and
 * `Error-Originator` once a relay has passed them on (draft §12, part 3 rows 30-31).
 */
export interface Answer {
  readonly status: 'ok' | 'error';
  readonly headers: Headers;
  readonly payload?: Uint8Array;
}

/** Authentication strength, draft §11.4; the order is weakest first. */
export type Strength = 'none' | 'weak' | 'medium' | 'strong';
const STRENGTH_RANK: Record<Strength, number> = { none: 0, weak: 1, medium: 2, strong: 3 };

/**
 * Anything the router can hand an operation to and await an answer from: a listening client
 * connection, an adapter, a peer gateway link. `deliver` must settle: the wire layer turns a lost
 * connection or a hop timeout into a `communications` answer (part 4 row 14); a rejected promise
 * is read the same way.
 */
export interface Endpoint {
  readonly id: string;
  deliver(op: Operation): Promise<Answer>;
  /**
   * The domain of the party behind this endpoint, written into `Error-Originator` when an error
   * from it is passed on (draft §12). Defaults to the domain the operation was routed to.
   */
  readonly domain?: string;
}

/** Where an operation came from. */
export interface Origin {
  readonly kind: 'client' | 'peer' | 'adapter';
  /** The connection (or adapter link) the operation arrived on; listens and subscriptions die with it. */
  readonly connectionId: string;
  /** Client: the identities it may speak for (from its SASL credentials); absent = not authenticated. */
  readonly identities?: readonly Pattern[];
  /** Peer: the domain it authenticated as (draft §8.1). */
  readonly peerDomain?: string;
  /** Strength of the link's authentication (draft §11.4, part 4 row 12). */
  readonly strength: Strength;
  /** Where commands for this origin go (notifies, delivered messages). */
  readonly endpoint: Endpoint;
  /**
   * Presence content types this origin understands, best first. When set and a PI's type is not
   * among them, the router's `translate` hook is asked for the first (hub-protocol.md part 5.4).
   */
  readonly accept?: readonly string[];
}

export function strengthRank(s: Strength): number {
  return STRENGTH_RANK[s];
}

export function weaker(a: Strength, b: Strength): Strength {
  return STRENGTH_RANK[a] <= STRENGTH_RANK[b] ? a : b;
}

/**
 * An Astrength value; other letter cases are accepted (part 4 row 11: the draft's example writes
 * "Medium"), null when invalid.
 */
export function parseStrength(value: string): Strength | null {
  const v = value.trim().toLowerCase();
  return v === 'strong' || v === 'medium' || v === 'weak' || v === 'none' ? v : null;
}

// --- Reading headers -------------------------------------------------------------------------

/** The first value of `name` (draft §10: a repeated non-repeatable header counts once, the first). */
export function getHeader(headers: Headers, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === name) return h[1];
  }
  return undefined;
}

/** Every value of `name`, in order. */
export function getHeaders(headers: Headers, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === name) out.push(h[1]);
  }
  return out;
}

/** `getHeader`, with a `malformed` HubError when it is absent. */
export function requireHeader(headers: Headers, name: string): string {
  const v = getHeader(headers, name);
  if (v === undefined) throw new HubError('malformed', `a ${name} header is required`);
  return v;
}

// --- Building headers ------------------------------------------------------------------------

/** A copy with `[name, value]` appended. */
export function addHeader(headers: Headers, name: string, value: string): Header[] {
  const out = headers.slice();
  out.push([name, value]);
  return out;
}

/**
 * A copy where the first `name` gets `value` in place and later ones are dropped; appended when
 * absent. For headers the router owns (Visited, Astrength, Max-Forwards).
 */
export function setHeader(headers: Headers, name: string, value: string): Header[] {
  const out: Header[] = [];
  let done = false;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== name) out.push(h);
    else if (!done) {
      out.push([name, value]);
      done = true;
    }
  }
  if (!done) out.push([name, value]);
  return out;
}

/** A copy without any `name`. */
export function removeHeader(headers: Headers, name: string): Header[] {
  const out: Header[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== name) out.push(h);
  }
  return out;
}

// --- Answers ---------------------------------------------------------------------------------

const EMPTY: Headers = Object.freeze([]) as Headers;

export function okAnswer(headers: Headers = EMPTY, payload?: Uint8Array): Answer {
  return payload === undefined ? { status: 'ok', headers } : { status: 'ok', headers, payload };
}

/** An error the router originates: no Error-Originator (draft §12, part 3 row 31). */
export function errorAnswer(type: ErrorType | string, description = ''): Answer {
  return {
    status: 'error',
    headers:
      description === ''
        ? [['Error-Type', type]]
        : [
            ['Error-Type', type],
            ['Error-Description', description],
          ],
  };
}

/**
 * The answer to a failure the router itself hit: a HubError's type and message; a CodecError
 * (unparseable identifier or pattern) is `malformed` (draft §12); anything else is `resources`
 * without leaking its message (as hub/replies.ts does).
 */
export function answerFromError(e: unknown): Answer {
  if (e instanceof HubError) return errorAnswer(e.type, e.message);
  if (e instanceof CodecError) return errorAnswer('malformed', e.reason);
  return errorAnswer('resources', 'internal error');
}

export function errorTypeOf(answer: Answer): string | undefined {
  return answer.status === 'error' ? getHeader(answer.headers, 'Error-Type') : undefined;
}

/**
 * An error answer being passed on by this relay (draft §12, part 3 row 31): the first relay adds
 * `Error-Originator` (a domain for a server, the client's URL for a client, part 4 row 21); later
 * relays keep the one they got. Error-Type/Description and unknown headers stay as they are
 * (row 30); an error without Error-Type (a broken hop) gets `communications` (part 4 row 10).
 */
export function passOnError(answer: Answer, originator: string): Answer {
  let headers = answer.headers;
  if (getHeader(headers, 'Error-Type') === undefined)
    headers = [['Error-Type', 'communications'], ...headers];
  if (getHeader(headers, 'Error-Originator') !== undefined)
    return headers === answer.headers ? answer : { ...answer, headers };
  return { ...answer, headers: addHeader(headers, 'Error-Originator', originator) };
}
