/**
 * The router's in-process port: one IMTP/PITP command (an `Operation`) without command id,
 * framing or sockets, where it came from (`Origin`) and where it can go (`Endpoint`); answers are
 * the protocol's one `Answer` (src/protocol). TCP clients, peer gateways and in-process adapters
 * all reach the router in this one shape, so an adapter could equally run out of process as a hub
 * client (docs/architecture.md parts 4, 5). Command ids and CPIM TransIDs stay with the wire layer
 * (docs/hub-protocol.md part 5.2).
 */
import type { Pattern } from '../model/index.js';
import type { Answer, Headers, Protocol, Strength } from '../protocol/index.js';

export interface Operation {
  readonly protocol: Protocol;
  readonly method: string;
  /** In order, duplicates kept, unknown ones kept for relaying. */
  readonly headers: Headers;
  /** The payload octets, passed on by reference and never re-serialized. */
  readonly payload?: Uint8Array;
  /**
   * Issue 18: the header block this command arrived in, as the wire layer keeps it
   * (src/hub/frame/raw.ts), passed through untouched; only a hub connection endpoint reads it,
   * to relay a send as octets.
   */
  readonly raw?: object;
}

/**
 * Where an answer goes when it comes back (issue 18): the relay path hands a sink down and the
 * answer up by method calls, with no promise and no reaction per hop. Called exactly once.
 */
export interface AnswerSink {
  answered(answer: Answer): void;
}

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
   * Issue 18, optional: `deliver` with the answer going to `sink` (exactly once, possibly at
   * once for a refusal) instead of a promise. Endpoints without it get `deliver`.
   */
  relay?(op: Operation, sink: AnswerSink): void;
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
   * among them, the router's `translate` hook is asked for the first (docs/hub-protocol.md part 5.4).
   */
  readonly accept?: readonly string[];
}
