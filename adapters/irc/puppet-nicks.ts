/**
 * The nick each hub user's puppet got, kept across restarts (issue 15, docs/adapters/irc.md
 * "What survives a restart"): after a collision a puppet may be `alice1[gw]` rather than
 * `alice[gw]`, and people on IRC know it by that nick. Kept per adapter in the store's mappings
 * as namespace `irc:<adapter id>:nick`, key the user's im: URI, at most `keep.nicks` entries
 * (the least recently used forgotten first, src/store/kept-map.ts).
 */
import { KeptMap, type Logger, type Store } from '../../src/index.js';

export function puppetNickNamespace(adapterId: string): string {
  return `irc:${adapterId}:nick`;
}

export function puppetNickMap(store: Store | null, adapterId: string, max: number, log: Logger): KeptMap {
  return new KeptMap(store, puppetNickNamespace(adapterId), { max, log });
}

/**
 * The nicks a puppet tries, in order: the one it had before (when kept), then the derived nick
 * and its collision variants. The remembered nick is first so it comes back even when the
 * derived one is free again; when it is taken, the puppet falls back as a new one would.
 */
export function nickCandidates(remembered: string | undefined, derived: readonly string[]): string[] {
  if (remembered === undefined) return [...derived];
  return [remembered, ...derived.filter((n) => n !== remembered)];
}
