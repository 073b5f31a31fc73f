/**
 * Which edits of the websocket section a reload applies in place (docs/operations-reload.md):
 * the credentials (`auth.tokens`, the JWT keys and claims rules). Web users stay connected;
 * sign-ins from then on use the new credentials. Any other key (the listener, limits, rooms,
 * the sign-in timeout and failure count) restarts the adapter alone.
 */
import type { WebSocketConfig } from './config.js';

/** The section with the credentials taken out: equal means only credentials changed. */
function withoutCredentials(c: WebSocketConfig): unknown {
  return { ...c, auth: { timeoutMs: c.auth.timeoutMs, maxFailures: c.auth.maxFailures } };
}

export function onlyCredentialsChanged(old: WebSocketConfig, next: WebSocketConfig): boolean {
  return JSON.stringify(withoutCredentials(old)) === JSON.stringify(withoutCredentials(next));
}

/**
 * Users who had a fixed token and have none now: their credentials were revoked, so their open
 * tabs are closed (as a hub connection whose account was removed), whatever way they signed in.
 */
export function revokedUsers(old: WebSocketConfig, next: WebSocketConfig): Set<string> {
  const kept = new Set(next.auth.tokens.map((t) => t.user));
  return new Set(old.auth.tokens.map((t) => t.user).filter((u) => !kept.has(u)));
}
