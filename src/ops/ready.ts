/**
 * Readiness (`/ready`, docs/operations.md "Readiness"): whether this gateway can do its work now,
 * component by component, so a load balancer or an orchestrator sends traffic only to a gateway
 * that can deliver it and an operator sees which part is missing. Pure: the caller gathers the
 * states.
 *
 * The rules (decided here, documented in docs/operations.md):
 * - the gateway has finished starting and is not stopping;
 * - every enabled hub listener is listening;
 * - every adapter is `online`: `connecting`, `degraded` (e.g. an IRC channel it could not join)
 *   and `offline` are not ready, with the adapter's cause;
 * - every static peer is reachable as far as we know: a link never used yet is `idle` (links open
 *   on first use, draft §7), which is ready; a link whose last connection attempt failed (so it
 *   waits out its backoff or the next command) is not ready until an attempt succeeds; a stopped
 *   link is not ready. Peers found through DNS are not components: a foreign domain that is down
 *   is that domain's problem, not this gateway's.
 */
import type { AdapterHealth } from '../adapter.js';

export type GatewayState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface ListenerState {
  /** `hub.imtp`, `hub.pitp`. */
  readonly name: string;
  readonly listening: boolean;
}

export interface PeerLinkState {
  readonly state: 'idle' | 'connecting' | 'up' | 'down' | 'stopped';
  /** Connection attempts failed since the last one that succeeded. */
  readonly failures: number;
}

export interface PeerState {
  readonly peer: string;
  readonly imtp: PeerLinkState;
  readonly pitp: PeerLinkState;
}

export interface ReadyInput {
  readonly gateway: GatewayState;
  readonly listeners: readonly ListenerState[];
  readonly adapters: readonly AdapterHealth[];
  /** Static peers only. */
  readonly peers: readonly PeerState[];
}

export interface Component {
  readonly name: string;
  readonly kind: 'gateway' | 'hub' | 'adapter' | 'peer';
  readonly ready: boolean;
  /** running, listening, online, idle, up, … : the state the rule looked at. */
  readonly status: string;
  readonly cause?: string;
  readonly type?: string;
  readonly links?: { readonly imtp: PeerLinkState; readonly pitp: PeerLinkState };
}

export interface Readiness {
  readonly ready: boolean;
  readonly components: readonly Component[];
}

export function linkReady(l: PeerLinkState): boolean {
  return l.state !== 'stopped' && l.failures === 0;
}

function peerComponent(p: PeerState): Component {
  const ready = linkReady(p.imtp) && linkReady(p.pitp);
  const failing = [p.imtp, p.pitp].find((l) => !linkReady(l));
  const status = failing?.state ?? (p.imtp.state === 'up' || p.pitp.state === 'up' ? 'up' : p.imtp.state);
  return {
    name: `peer:${p.peer}`,
    kind: 'peer',
    ready,
    status,
    ...(failing !== undefined && failing.failures > 0
      ? { cause: `${failing.failures} failed connection attempt(s) since the last success` }
      : {}),
    links: { imtp: p.imtp, pitp: p.pitp },
  };
}

export function readiness(input: ReadyInput): Readiness {
  const components: Component[] = [
    { name: 'gateway', kind: 'gateway', ready: input.gateway === 'running', status: input.gateway },
  ];
  for (const l of input.listeners)
    components.push({
      name: l.name,
      kind: 'hub',
      ready: l.listening,
      status: l.listening ? 'listening' : 'not listening',
    });
  for (const a of input.adapters)
    components.push({
      name: `adapter:${a.id}`,
      kind: 'adapter',
      type: a.type,
      ready: a.status === 'online',
      status: a.status,
      ...(a.cause === undefined ? {} : { cause: a.cause }),
    });
  for (const p of input.peers) components.push(peerComponent(p));
  return { ready: components.every((c) => c.ready), components };
}
