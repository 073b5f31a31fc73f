/**
 * Loop protection of a relayed `send` (draft §11.8, §16.2) and the CPIM hop count
 * (RFC 3860 §3.4.2, docs/hub-protocol.md part 5.2), and the headers every relay rewrites.
 *
 * Visited (part 3 row 49, part 4 row 16): tokens separated by one or more SP; every relay adds its
 * own token; a command that already carries our token, or more tokens than the maximum (16), is
 * answered `loop` (row 54).
 *
 * Max-Forwards: this project's extension header carrying the CPIM MaxForwards across the hub
 * (part 5.2: "carry the count in an extension header (relays pass unknown headers)"). Its value
 * is a decimal integer. Absent, the count is 128 − len(Visited) (part 5.2 Hub→CPIM; 128 is above
 * the 100 that RFC 3860 §3.4.2 recommends, docs/cpim.md row 33). A count of 0 (or less) on receipt is
 * answered `loop` and not relayed (docs/cpim.md row 32: "0 on receipt → discard + failure"); a relay
 * passes count − 1. Peers that do not know the header ignore it and forward it (draft §8).
 */
import { HubError } from '../errors.js';
import {
  getHeader,
  MESSAGE_ID_HEADER,
  type Header,
  type Headers,
  type Protocol,
  type Strength,
} from '../protocol/index.js';
import type { Operation } from './operation.js';

export const MAX_FORWARDS_HEADER = 'Max-Forwards';
export const DEFAULT_MAX_FORWARDS = 128;
export const DEFAULT_MAX_VISITED = 16;

/** The relayed counts a send usually carries, as text: no number-to-string per send (issue 18). */
const FORWARDS_TEXT: readonly string[] = Array.from({ length: DEFAULT_MAX_FORWARDS }, (_, i) => String(i));

/** What a send's loop headers say, read once on arrival. */
export interface HopState {
  /** The Visited value to relay: the received list plus our token. */
  readonly visited: string;
  /** The Max-Forwards value to relay (received count − 1). */
  readonly maxForwards: string;
}

/** Splits a Visited value on SP/HTAB runs (part 4 row 16). */
export function visitedTokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 0x20;
    if (c === 0x20 || c === 0x09) {
      if (start >= 0) out.push(value.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  return out;
}

/**
 * Checks a received send for loops and computes the values to relay. Throws `loop` when our
 * token is already listed, the list is longer than `maxVisited` (rows 49, 54, part 4 row 16), or
 * the hop count is exhausted (docs/cpim.md rows 32/33); `malformed` for a Max-Forwards that is not a
 * decimal integer.
 */
export function checkHops(headers: Headers, token: string, maxVisited: number): HopState {
  const received = getHeader(headers, 'Visited');
  const tokens = visitedTokens(received);
  // Domains compare case-insensitively; our token is kept lower-case by the router.
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.toLowerCase() === token) throw new HubError('loop', `already visited ${token}`);
  }
  if (tokens.length > maxVisited) throw new HubError('loop', `more than ${maxVisited} relays visited`);
  const mfText = getHeader(headers, MAX_FORWARDS_HEADER);
  let count: number;
  if (mfText === undefined) count = DEFAULT_MAX_FORWARDS - tokens.length;
  else {
    const t = mfText.trim();
    if (!/^[0-9]{1,9}$/.test(t)) throw new HubError('malformed', `${MAX_FORWARDS_HEADER} is not a number`);
    count = Number(t);
  }
  if (count <= 0) throw new HubError('loop', 'hop count exhausted');
  return {
    visited: tokens.length === 0 ? token : tokens.join(' ') + ' ' + token,
    maxForwards: count <= DEFAULT_MAX_FORWARDS ? FORWARDS_TEXT[count - 1]! : String(count - 1),
  };
}

/**
 * The headers of a relayed command: everything received, in order and unmodified (draft §8, part
 * 3 row 11), except Visited, Max-Forwards and Astrength, which are replaced in place (or appended)
 * with the relayed values. One pass, no closures (docs/architecture.md part 11).
 */
export function relayHeaders(headers: Headers, hops: HopState | null, strength: Strength): Header[] {
  const out: Header[] = [];
  let seenVisited = hops === null;
  let seenMf = hops === null;
  let seenStrength = false;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const name = h[0];
    if (hops !== null && name === 'Visited') {
      if (!seenVisited) out.push(['Visited', hops.visited]);
      seenVisited = true;
    } else if (hops !== null && name === MAX_FORWARDS_HEADER) {
      if (!seenMf) out.push([MAX_FORWARDS_HEADER, hops.maxForwards]);
      seenMf = true;
    } else if (name === 'Astrength' || name === 'AStrength') {
      if (!seenStrength) out.push(['Astrength', strength]);
      seenStrength = true;
    } else out.push(h);
  }
  if (!seenVisited) out.push(['Visited', hops!.visited]);
  if (!seenMf) out.push([MAX_FORWARDS_HEADER, hops!.maxForwards]);
  // part 4 row 12 / draft §11.4: always state the strength we relay, `strong` included.
  if (!seenStrength) out.push(['Astrength', strength]);
  return out;
}

/**
 * A send on the relay path (issue 18): the received operation and what the relay rewrites, with
 * the relayed header list made only when an endpoint asks for `headers` (a hub connection
 * relays the received octets instead, src/hub/frame/raw.ts). `plain()` is the ordinary
 * operation, for endpoints that keep or copy what they get.
 */
export class RelayedSend implements Operation {
  readonly protocol: Protocol;
  readonly method: string;
  readonly payload: Uint8Array;
  readonly visited: string;
  readonly maxForwards: string;
  /** The Message-ID to add (undefined: the send has one, relayed as it is). */
  readonly messageId: string | undefined;
  private built: Header[] | null = null;

  constructor(
    readonly received: Operation,
    payload: Uint8Array,
    hops: HopState,
    readonly strength: Strength,
    messageId: string | undefined,
  ) {
    this.protocol = received.protocol;
    this.method = received.method;
    this.payload = payload;
    this.visited = hops.visited;
    this.maxForwards = hops.maxForwards;
    this.messageId = messageId;
  }

  /** What `relayHeaders` gives, plus the added Message-ID: the headers of the relayed command. */
  get headers(): Headers {
    if (this.built === null) {
      const out = relayHeaders(this.received.headers, this, this.strength);
      if (this.messageId !== undefined) out.push([MESSAGE_ID_HEADER, this.messageId]);
      this.built = out;
    }
    return this.built;
  }

  plain(): Operation {
    return { protocol: this.protocol, method: this.method, headers: this.headers, payload: this.payload };
  }
}

/** `op` as an ordinary operation (a RelayedSend made plain). */
export function plainOperation(op: Operation): Operation {
  return op instanceof RelayedSend ? op.plain() : op;
}
