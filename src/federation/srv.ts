/**
 * Finding a foreign domain's hub server (draft §6.3, part 3 row 2) with the rules of RFC 3861
 * §4 and §6 (docs/cpim.md 2.7, checklist rows 39, 54, 55) and RFC 2782 ordering. Pure: the DNS
 * queries are a `DnsLookup` the caller passes in (dns.ts wraps node:dns), so the table tests of
 * srv-vectors.json drive this file directly.
 */

/** One SRV record (RFC 2782), as node:dns `resolveSrv` returns it. */
export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  /** The target host; "." (or "") = the service is decidedly not available (RFC 2782). */
  readonly name: string;
}

/** The three questions discovery asks. Each answers "nothing" as empty/null, never by throwing. */
export interface DnsLookup {
  srv(name: string): Promise<readonly SrvRecord[]>;
  /** The canonical name when `name` is a CNAME, else null. */
  cname(name: string): Promise<string | null>;
  /** A, then AAAA addresses of `name`; empty when it has none. */
  addresses(name: string): Promise<readonly string[]>;
}

/** A host to try, in order. `port` is the SRV port or the default port. */
export interface Target {
  readonly name: string;
  readonly port: number;
}

/** Hudson's server-to-server service names (draft §6.3, docs/hub-protocol.md part 2.3). */
export const SERVER_SERVICE = { imtp: '_im-servers._tcp', pitp: '_presence-servers._tcp' } as const;

/**
 * RFC 3861 §3: the SRV name a CPIM destination is looked up under for a protocol label such as
 * `_sip` (`_im` for im:, `_pres` for pres:), FQDN-style with the trailing dot.
 */
export function rfc3861QueryName(uri: string, protocolLabel: string): string {
  const m = /^(im|pres|presence):[^@]*@([^?]+)/i.exec(uri);
  if (m === null) throw new Error(`not an im:/pres: address with a domain: ${uri}`);
  const service = m[1]!.toLowerCase() === 'im' ? '_im' : '_pres';
  return `${service}.${protocolLabel}.${m[2]!.toLowerCase()}.`;
}

/**
 * RFC 3861 §4: the domain part must be a fully qualified domain name; a local alias (no dot)
 * is outside the spec and answered as failure rather than guessed at (srv-vectors "not an FQDN").
 */
export function isFqdn(domain: string): boolean {
  const d = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  return d.includes('.') && /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(d) && !d.includes('..');
}

/**
 * RFC 2782 "Usage rules": lowest priority first; within one priority, a weighted random order
 * (weight-0 records first in the running sum, so they are picked rarely, but can be).
 * `random` returns [0, 1); injected for tests.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    const list = byPriority.get(r.priority);
    if (list === undefined) byPriority.set(r.priority, [r]);
    else list.push(r);
  }
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Zero-weight records at the front of the list (RFC 2782).
    const left = byPriority
      .get(priority)!
      .sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (left.length > 0) {
      const total = left.reduce((s, r) => s + r.weight, 0);
      const pick = Math.floor(random() * (total + 1));
      let sum = 0;
      let index = left.length - 1;
      for (let i = 0; i < left.length; i++) {
        sum += left[i]!.weight;
        if (sum >= pick) {
          index = i;
          break;
        }
      }
      out.push(left.splice(index, 1)[0]!);
    }
  }
  return out;
}

const MAX_CNAME_HOPS = 8;

/**
 * The targets to try for `domain` under SRV `service`, in order; an empty list when the
 * domain has no server (or none is available), and null when it is not an FQDN.
 *
 * RFC 3861 §4 (row 54) and draft §6.3 (row 2): SRV first; when SRV records exist only their
 * targets are used, never the domain's own addresses; a single "." target means "no service".
 * Without SRV, a CNAME restarts the lookup with the canonical name; without either, a domain
 * that has an address is used as if one SRV record (priority 0) pointed at it, on the default
 * port. RFC 3861 §6 (row 55): targets in RFC 2782 order; the caller tries them in turn.
 */
export async function discoverTargets(
  domain: string,
  service: string,
  defaultPort: number,
  lookup: DnsLookup,
  random: () => number = Math.random,
): Promise<Target[] | null> {
  if (!isFqdn(domain)) return null;
  let name = domain.toLowerCase().replace(/\.$/, '');
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const records = await lookup.srv(`${service}.${name}`);
    if (records.length > 0) {
      if (records.length === 1 && (records[0]!.name === '.' || records[0]!.name === '')) return [];
      return orderSrv(records, random)
        .filter((r) => r.name !== '.' && r.name !== '')
        .map((r) => ({ name: r.name.replace(/\.$/, ''), port: r.port }));
    }
    const canonical = await lookup.cname(name);
    if (canonical !== null && canonical.replace(/\.$/, '').toLowerCase() !== name) {
      name = canonical.replace(/\.$/, '').toLowerCase();
      continue;
    }
    const addresses = await lookup.addresses(name);
    return addresses.length > 0 ? [{ name, port: defaultPort }] : [];
  }
  return [];
}
