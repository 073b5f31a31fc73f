/**
 * A tiny IMTP home server for tests, standing in for the router: `listen` (authenticated,
 * part 4 row 28) registers the connection for an Inbox; `send` is relayed to the listening
 * connection (draft §16.2) with Astrength = min(link strength, received) (§11.4, part 3 row 28),
 * and its answer comes back unchanged, errors with Error-Originator added (§12, part 3 row 31).
 * Nobody listening ⇒ no-listeners.
 */
import { HubError } from '../../src/errors.js';
import { getHeader, type Header, relayedStrength } from '../../src/protocol/index.js';

import { relayedErrorHeaders } from '../../src/hub/replies.js';
import type { HubApplication, HubConnection } from '../../src/hub/server.js';

export interface RelayApp extends HubApplication {
  readonly listeners: Map<string, HubConnection>;
  /** Identities seen by `authenticated`, by connection id. */
  readonly identities: Map<string, { identity: string | null; strength: string }>;
}

export function relayApplication(domain = 'hub.example.net'): RelayApp {
  const listeners = new Map<string, HubConnection>();
  const identities = new Map<string, { identity: string | null; strength: string }>();
  return {
    listeners,
    identities,
    allowUnauthenticated: (method) => method === 'send',
    authenticated(conn) {
      identities.set(conn.id, { identity: conn.identity, strength: conn.strength });
    },
    closed(conn) {
      for (const [inbox, c] of listeners) if (c === conn) listeners.delete(inbox);
    },
    async command(conn, cmd) {
      if (cmd.method === 'listen') {
        listeners.set(getHeader(cmd.headers, 'Inbox')!, conn);
        return { status: 'ok', headers: [] };
      }
      if (cmd.method !== 'send') throw new HubError('unknown-method', `${cmd.method} is not relayed here`);
      const target = listeners.get(getHeader(cmd.headers, 'Inbox')!);
      if (target === undefined) throw new HubError('no-listeners', 'nobody is listening');
      const strength = relayedStrength(conn.strength, cmd.headers);
      const headers: Header[] = [...cmd.headers.filter(([n]) => n !== 'Astrength'), ['Astrength', strength]];
      const r = await target.command('send', headers, cmd.payload);
      return r.status === 'ok'
        ? { status: 'ok', headers: r.headers, payload: r.payload }
        : { status: 'error', headers: relayedErrorHeaders(r.headers, domain) };
    },
  };
}
