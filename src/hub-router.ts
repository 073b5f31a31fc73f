/**
 * The hub listeners' application: every command that arrives on an IMTP or PITP connection
 * becomes a router operation, and every operation the router delivers to a connection (a send
 * for a listener, a notify for a watcher) becomes a command on it. The one place where the
 * wire layer (src/hub) meets the router (src/router), so neither depends on the other.
 */
import type { AccountConfig } from './config/schema.js';
import type { Answer } from './protocol/index.js';
import type { CommandFrame } from './hub/frame/index.js';
import type { HubApplication, HubConnection } from './hub/server.js';
import type { Logger } from './log.js';
import { parsePattern, type ImAddress, type Pattern } from './model/index.js';
import type { AnswerSink, Endpoint, Operation, Origin, Router } from './router/index.js';
import { mayActFor } from './router/source-auth.js';
import { RelayedSend } from './router/visited.js';
import type { RawHeaders } from './hub/frame/raw.js';

const NO_HEADERS: readonly [] = [];

/** What an account may do once authenticated (draft §8.1). */
export type Principal =
  | { readonly kind: 'client'; readonly identities: readonly Pattern[] }
  | { readonly kind: 'peer'; readonly domain: string };

export function principals(accounts: readonly AccountConfig[]): Map<string, Principal> {
  const out = new Map<string, Principal>();
  for (const a of accounts) {
    if (out.has(a.user)) continue;
    out.set(
      a.user,
      a.peerDomain !== undefined
        ? { kind: 'peer', domain: a.peerDomain }
        : { kind: 'client', identities: (a.identities ?? []).map((i) => parsePattern(i)) },
    );
  }
  return out;
}

/**
 * RouterOptions.listenable: may some client account listen for `inbox`? Listening needs an
 * identity that covers the inbox (draft §8.1, source-auth.ts), so no other inbox ever has a
 * listener: it does not exist.
 */
export function listenableBy(accounts: readonly AccountConfig[]): (inbox: ImAddress) => boolean {
  const identities: Pattern[] = [];
  for (const p of principals(accounts).values()) if (p.kind === 'client') identities.push(...p.identities);
  return (inbox) => mayActFor(identities, inbox);
}

/**
 * RouterOptions.keepsOffline (issue 15, docs/gateway.md "Offline delivery"): is a message for
 * `inbox` kept while nobody listens? Yes when some client account that may listen for it keeps
 * offline messages (`offline`, absent = true).
 */
export function offlineBy(accounts: readonly AccountConfig[]): (inbox: ImAddress) => boolean {
  const identities: Pattern[] = [];
  for (const a of accounts)
    if (a.identities !== undefined && a.offline !== false)
      for (const i of a.identities) identities.push(parsePattern(i));
  return (inbox) => mayActFor(identities, inbox);
}

/** The router's view of a hub connection: an endpoint that sends it commands. */
export function connectionEndpoint(conn: HubConnection, domain?: string): Endpoint {
  const relay = conn.relay;
  return {
    id: conn.id,
    ...(domain === undefined ? {} : { domain }),
    // A response frame is an Answer (src/protocol): no conversion step on the hot path.
    deliver: (op: Operation): Promise<Answer> => conn.command(op.method, op.headers, op.payload ?? null),
    // Issue 18: the relay path, the answer to a sink by a method call (no promise per command).
    ...(relay === undefined
      ? {}
      : {
          relay: (op: Operation, sink: AnswerSink): void => {
            // A send that arrived on a hub connection is relayed as the octets it came in.
            const raw =
              op instanceof RelayedSend && conn.protocol === 'imtp'
                ? (op.received.raw as RawHeaders | undefined)
                : undefined;
            if (raw === undefined) relay.call(conn, op.method, op.headers, op.payload ?? null, sink);
            else relay.call(conn, op.method, NO_HEADERS, op.payload ?? null, sink, raw, op as RelayedSend);
          },
        }),
  };
}

export interface HubRouterOptions {
  readonly router: Router;
  readonly accounts: readonly AccountConfig[];
  readonly log: Logger;
}

/** The hub application, whose accounts a reload can replace. */
export interface HubRouterApplication extends HubApplication {
  /**
   * A reload's `hub.accounts` (docs/operations-reload.md): every connection's next command acts
   * with its account's identities as they are now. A connection whose account is gone is the
   * caller's to close (`isAccount`).
   */
  setAccounts(accounts: readonly AccountConfig[]): void;
  /** Whether `user` is a configured account now. */
  isAccount(user: string): boolean;
}

/** The HubApplication that serves one gateway's listeners from its router. */
export function hubRouterApplication(options: HubRouterOptions): HubRouterApplication {
  const { router } = options;
  let byUser = principals(options.accounts);
  let origins = new WeakMap<HubConnection, Origin>();

  function originOf(conn: HubConnection): Origin {
    let origin = origins.get(conn);
    if (origin !== undefined && origin.strength === conn.strength) return origin;
    const principal = conn.identity === null ? undefined : byUser.get(conn.identity);
    const base = { connectionId: conn.id, strength: conn.strength };
    origin =
      principal?.kind === 'peer'
        ? {
            ...base,
            kind: 'peer',
            peerDomain: principal.domain,
            endpoint: connectionEndpoint(conn, principal.domain),
          }
        : {
            ...base,
            kind: 'client',
            endpoint: connectionEndpoint(conn),
            ...(principal ? { identities: principal.identities } : {}),
          };
    origins.set(conn, origin);
    return origin;
  }

  return {
    setAccounts(accounts) {
      byUser = principals(accounts);
      origins = new WeakMap();
    },
    isAccount: (user) => byUser.has(user),
    command(conn: HubConnection, command: CommandFrame, raw?: RawHeaders): Promise<Answer> | null {
      const op: Operation =
        command.payload === undefined
          ? { protocol: conn.protocol, method: command.method, headers: command.headers }
          : raw === undefined
            ? {
                protocol: conn.protocol,
                method: command.method,
                headers: command.headers,
                payload: command.payload,
              }
            : {
                protocol: conn.protocol,
                method: command.method,
                headers: command.headers,
                payload: command.payload,
                raw,
              };
      // Issue 18, the relay path: a send is answered through the connection's reply handle,
      // with no promise on the way out or back (Router.relaySend).
      if (command.method === 'send' && conn.protocol === 'imtp' && conn.replyTo !== undefined) {
        router.relaySend(op, originOf(conn), conn.replyTo(command.id));
        return null;
      }
      return router.handle(op, originOf(conn));
    },
    authenticated(conn: HubConnection) {
      origins.delete(conn);
      conn.log.info(
        { user: conn.identity, kind: conn.identity ? byUser.get(conn.identity)?.kind : undefined },
        'hub principal',
      );
    },
    closed(conn: HubConnection) {
      router.connectionClosed(conn.id);
    },
  };
}
