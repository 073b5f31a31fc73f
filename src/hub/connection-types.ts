/**
 * What the socket layer (connection.ts, server.ts, client.ts) shows the code above it: the
 * application's answer, the connection as the application sees it, why connections close, and
 * the mapping of `hub.limits` onto the frame decoder. No I/O.
 */
import type { Socket } from 'node:net';
import type { HubLimits } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Connection } from './connection.js';
import type { Answer, Header, Protocol, Strength } from '../protocol/index.js';
import type { CommandFrame, FrameError, FrameLimits, ResponseFrame } from './frame/index.js';
import type { RawHeaders, RawRewrite } from './frame/raw.js';
import { errorHeaders } from './replies.js';
import type { SaslServer } from './sasl.js';
import type { HubStats } from './stats.js';
import type { AuthInfo, CloseCode, Role } from './session.js';

/** Why a connection ended: the session's codes plus those of the socket layer. */
export type HubCloseCode =
  CloseCode | 'auth-timeout' | 'peer-not-reading' | 'socket-error' | 'connection-limit' | 'server-stopping';

export interface CloseReason {
  readonly code: HubCloseCode;
  readonly message: string;
  readonly error?: FrameError;
}

/** What an application sees of a connection. */
export interface HubConnection {
  readonly id: string;
  readonly protocol: Protocol;
  /** "address:port" of the peer. */
  readonly remote: string;
  readonly tls: boolean;
  /** Who the peer authenticated as (the account `user`; for a client link: whom we logged in as), or null. */
  readonly identity: string | null;
  /** Link strength for Astrength (draft §11.4, part 4 row 12). */
  readonly strength: Strength;
  readonly log: Logger;
  readonly closed: boolean;
  /** Octets written but not yet taken by the peer (back-pressure hint for relays). */
  readonly bufferedOutput: number;
  /**
   * Sends a command to the peer; never rejects: a timeout or a lost connection answers
   * `communications`. The response frame is an `Answer` (src/protocol), so relays pass it on as
   * it is, with no conversion step.
   */
  command(method: string, headers?: readonly Header[], payload?: Uint8Array | null): Promise<ResponseFrame>;
  /**
   * Issue 18, the relay path (optional, so other implementations keep compiling): like `command`,
   * but the answer goes to `sink.answered` by a method call, with no promise per command.
   */
  relay?(
    method: string,
    headers: readonly Header[],
    payload: Uint8Array | null,
    sink: { answered(r: ResponseFrame): void },
    raw?: RawHeaders,
    rewrite?: RawRewrite,
  ): void;
  /**
   * Issue 18: the handle that answers the received command `id` later; an application that
   * takes it returns null from `command` (HubApplication).
   */
  replyTo?(id: string): { answered(a: Answer): void };
  /** Acceptor: asks the peer to move (draft §14.2, part 3 row 33) and resolves on its answer. Initiator: closes. */
  shutdown(): Promise<void>;
  /** Closes at once (after writing what is queued). */
  close(reason?: string): void;
}

/** hub.limits → the decoder's FrameLimits (the payload limit depends on the protocol). */
export function frameLimits(limits: HubLimits, protocol: Protocol): FrameLimits {
  return {
    maxLineLength: limits.maxLineBytes,
    maxHeaderCount: limits.maxHeaders,
    maxHeaderBytes: limits.maxHeaderBytes,
    maxPayloadSize: protocol === 'imtp' ? limits.maxImPayloadBytes : limits.maxPresencePayloadBytes,
    maxIdLength: limits.maxIdLength,
  };
}

/** An answer we make up (part 4 row 14: a lost or silent hop counts as `communications`). */
export function syntheticAnswer(id: string, method: string, error: unknown): ResponseFrame {
  return {
    kind: 'response',
    id,
    status: 'error',
    method,
    headers: errorHeaders(error, method),
    payload: undefined,
  };
}

/** The connection's owner (server or client). */
export interface ConnectionEvents {
  /** null: the owner took `conn.replyTo(command.id)` and answers through it (issue 18). */
  command(conn: Connection, command: CommandFrame, raw?: RawHeaders): Answer | PromiseLike<Answer> | null;
  authenticated?(conn: Connection, auth: AuthInfo): void;
  /**
   * True: the owner has logged the failure itself (authentication backoff, issue 13: counted and
   * throttled across connections), so the connection logs it at debug only, not once per attempt.
   */
  authFailed?(conn: Connection, reason: string, failures: number): boolean | void;
  mech?(conn: Connection, mechanisms: readonly string[]): void;
  closed?(conn: Connection, reason: CloseReason): void;
}

export interface ConnectionOptions {
  readonly id: string;
  readonly socket: Socket;
  readonly role: Role;
  readonly protocol: Protocol;
  readonly limits: HubLimits;
  readonly tls: boolean;
  /** The component logger; the connection binds `conn` and `remote` to it. */
  readonly log: Logger;
  readonly sasl?: SaslServer;
  readonly allowUnauthenticated?: (method: string) => boolean;
  readonly events: ConnectionEvents;
  /** The listener's counts (commands by method, answers by kind); absent = not counted. */
  readonly stats?: HubStats;
}
