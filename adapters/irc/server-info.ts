/**
 * The server's ISUPPORT values (RPL_ISUPPORT, numeric 005, draft-brocklesby-irc-isupport 3) as
 * one connection learns them. They arrive after RPL_WELCOME (001) and may differ after a
 * reconnect to another server of the network (issue 20), so the maps a connection keys by
 * folded names are keyed again when CASEMAPPING changes. Pure.
 */
import { foldCase, type IrcServerInfo } from './translate.js';

export function sameServerInfo(a: IrcServerInfo, b: IrcServerInfo): boolean {
  return a.casemapping === b.casemapping && a.nicklen === b.nicklen && a.chantypes === b.chantypes;
}

/** The maps of one connection keyed by folded channel names. */
export interface FoldedMaps {
  readonly wanted: Map<string, { name: string; key?: string }>;
  /** Folded name → the name as the server wrote it. */
  readonly joined: Map<string, string>;
  /** Folded name → why the JOIN failed. */
  readonly failedJoins: Map<string, string>;
}

/** Keys the maps again under `casemapping`; reasons of failed joins are dropped (the next JOIN tells anew). */
export function refold(maps: FoldedMaps, casemapping: string): void {
  const fold = (n: string) => foldCase(n, casemapping);
  const wanted = [...maps.wanted.values()];
  maps.wanted.clear();
  for (const w of wanted) maps.wanted.set(fold(w.name), w);
  const joined = [...maps.joined.values()];
  maps.joined.clear();
  for (const j of joined) maps.joined.set(fold(j), j);
  maps.failedJoins.clear();
}
