/**
 * How a relay line names its author (issue 20, docs/adapters/irc.md "Modes"): in relay mode
 * every hub, web, mail or XMPP user speaks through the gateway's one nick, so the name in
 * `<name> text` is all IRC readers have to tell them apart. Users of the gateway's own domains
 * are named by their local part (`<bob>`); anyone else also by their domain or its configured
 * short label (`<bob@web>`), so hub user bob and web user bob differ. Pure.
 */
/* eslint-disable no-control-regex -- controls are removed from names */
import type { ImAddress } from '../../src/index.js';

export interface RelayNaming {
  /** `foreign`: qualify users of other domains; `always`; `never` (the local part alone). */
  readonly qualify: 'foreign' | 'always' | 'never';
  /** Domains whose users are named by their local part alone (lower case). */
  readonly localDomains: ReadonlySet<string>;
  /** A short label per domain (keys in lower case): `bob@web` rather than `bob@web.example.org`. */
  readonly labels: ReadonlyMap<string, string>;
}

const clean = (s: string) => s.replace(/[\x00-\x20\x7f]/g, '');

/** The name in a relay line's `<…>`: never empty, no controls or spaces. */
export function relayName(a: ImAddress, n: RelayNaming): string {
  const local = clean(a.local) || '?';
  const domain = a.domain.toLowerCase();
  // A local part that already names a domain (a mail address in RFC 3860 form,
  // `mailto=erin@elsewhere.test`) is unambiguous as it is.
  if (n.qualify === 'never' || local.includes('@')) return local;
  if (n.qualify === 'foreign' && n.localDomains.has(domain)) return local;
  return `${local}@${clean(n.labels.get(domain) ?? domain)}`;
}

/**
 * The naming of a configuration: its `relayNames`, the gateway's own domains being those
 * listed and those given (the IRC network's own, and those of the channels' rooms: rooms are the
 * gateway's, so their domain is).
 */
export function relayNaming(
  c: {
    readonly qualify: RelayNaming['qualify'];
    readonly localDomains: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
  },
  roomDomains: readonly string[],
): RelayNaming {
  return {
    qualify: c.qualify,
    localDomains: new Set([...c.localDomains, ...roomDomains].map((d) => d.toLowerCase())),
    labels: new Map(Object.entries(c.labels).map(([d, l]) => [d.toLowerCase(), l])),
  };
}
