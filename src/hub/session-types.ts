/**
 * The types of a session's configuration and of its conversation with the application
 * (session.ts re-exports them), and the default part 4 row 28 policy.
 */
import type { CommandFrame, FrameError, FrameLimits, RawHeaders, ResponseFrame } from './frame/index.js';
import type { HubError } from '../errors.js';
import type { Protocol } from '../protocol/index.js';
import type { SaslServer } from './sasl.js';
import type { AuthInfo } from './session-auth.js';

export type Role = 'initiator' | 'acceptor';

export interface SessionOptions {
  readonly role: Role;
  readonly protocol: Protocol;
  readonly limits?: Partial<FrameLimits>;
  /** Acceptor: this connection's SASL server; its list is the `=mech` list (empty without one). */
  readonly sasl?: SaslServer;
  /** Acceptor, part 4 row 28: may `method` run before authentication? Default `defaultAuthPolicy()`. */
  readonly allowUnauthenticated?: (method: string) => boolean;
  /** Part 4 row 30: close after this many failed authentications (default 3). */
  readonly maxAuthFailures?: number;
  /** Write output produced outside `receive()` at once (default true); otherwise call `flush()`. */
  readonly autoFlush?: boolean;
}

export type CloseCode =
  'protocol-error' | 'truncated' | 'peer-closed' | 'auth-failures' | 'mech-mismatch' | 'local';

export interface CloseReason {
  readonly code: CloseCode;
  readonly message: string;
  readonly error?: FrameError;
}

export type NoticeCode =
  | 'malformed-command'
  | 'malformed-response'
  | 'unknown-response'
  | 'method-mismatch'
  | 'error-without-type'
  | 'unexpected-mech'
  | 'auth-aborted'
  | 'sasl-protocol';

/** Something worth a log line that needs no action. */
export interface Notice {
  readonly code: NoticeCode;
  readonly message: string;
  readonly id?: string;
}

export interface SessionHooks<C = unknown> {
  /** Bytes for the peer. */
  write(bytes: Buffer): void;
  /** A well-formed command for the application; answer it with `respond`/`respondError`. */
  /** `raw` (issue 18): a send's header block as received, when kept (frame/raw.ts); valid during the call. */
  command(command: CommandFrame, raw?: RawHeaders): void;
  /** The answer to `sendCommand(..., context)`; `synthetic` when the session made it up (connection lost, unparseable answer). */
  response(response: ResponseFrame, context: C | undefined, synthetic: boolean): void;
  /** Issue 18: when present, a bare `ok` answer (no header, no payload) comes here instead of `response`. */
  plainOk?(id: string, method: string, context: C | undefined): void;
  /** The session is finished; close the socket (after writing what `write` got). */
  close(reason: CloseReason): void;
  notice?(notice: Notice): void;
  /** Initiator: the acceptor's first mechanism list. */
  mech?(mechanisms: readonly string[]): void;
  authenticated?(auth: AuthInfo): void;
  authFailed?(reason: string, failures: number): void;
  /** A command refused before the application saw it (unknown method, bad headers, not authenticated); already answered. */
  refused?(method: string, error: HubError): void;
  /** Initiator: the server asks us to move (draft §14.2); answer `respond(id, 'ok')` or `respondError(id, communications)`. Without this hook the session answers ok. */
  shutdown?(id: string): void;
}

/** Part 4 row 28: store management, start-wi, terminate, listen and the rest need auth; send and fetch-like methods only if allowed. */
export function defaultAuthPolicy(
  allow: { send?: boolean; fetch?: boolean } = {},
): (method: string) => boolean {
  return (method) =>
    method === 'send'
      ? allow.send === true
      : method === 'fetch' || method === 'subscribe' || method === 'unsubscribe'
        ? allow.fetch === true
        : false;
}

/** A bare `ok` answer as the decoder would build it (for callers of `onPlainOk` that need the frame). */
export function plainOk(id: string, method: string): ResponseFrame {
  return { kind: 'response', id, status: 'ok', method, headers: [], payload: undefined };
}

/** The answer a lost or garbled hop stands for (part 4 row 14: `communications`). */
export function synthetic(id: string, method: string, why: string): ResponseFrame {
  return {
    kind: 'response',
    id,
    status: 'error',
    method,
    headers: [
      ['Error-Type', 'communications'],
      ['Error-Description', why],
    ],
    payload: undefined,
  };
}
