/**
 * Source authorization (draft §8.1, part 3 rows 25-27) and authentication strength along the path
 * (draft §11.4, part 3 rows 28-29).
 */
import { HubError } from '../errors.js';
import { getHeader, parseStrength, weaker, type Headers, type Strength } from '../protocol/index.js';
import { matchPattern, toIm, toPres, type Address, type Pattern } from '../model/index.js';
import type { Origin } from './operation.js';

/** What source authorization needs to know about this gateway. */
export interface Authority {
  /** Domains this gateway is home for: its configured domains and every adapter domain. */
  isServed(domain: string): boolean;
  /** The domains an adapter endpoint registered (registerDomain), by endpoint id. */
  adapterDomains(endpointId: string): ReadonlySet<string> | undefined;
}

/**
 * The strength to relay: the weaker of the link's and the received Astrength, absent = strong
 * (draft §11.4 MUST, part 3 row 28). An unknown value is `malformed` (draft §10 header grammar).
 */
export function effectiveStrength(origin: Origin, headers: Headers): Strength {
  let text = getHeader(headers, 'Astrength');
  // part 4 row 11: the draft's example spells the name "AStrength"; accepted, never emitted.
  if (text === undefined) text = getHeader(headers, 'AStrength');
  if (text === undefined) return origin.strength;
  // Adapters hand headers in directly, not through the decoder that trims values.
  const got = parseStrength(text.trim());
  if (got === null) throw new HubError('malformed', 'invalid Astrength value');
  return weaker(origin.strength, got);
}

/**
 * May a client holding `identities` speak for `address`? Hudson §4: the same identifier under
 * `im:` and `presence:` names one principal, so `im:alice@a` also covers `presence:alice@a`.
 */
export function mayActFor(identities: readonly Pattern[], address: Address): boolean {
  for (let i = 0; i < identities.length; i++) {
    if (matchPattern(identities[i]!, address)) return true;
  }
  const other = address.scheme === 'im' ? toPres(address) : toIm(address);
  for (let i = 0; i < identities.length; i++) {
    if (matchPattern(identities[i]!, other)) return true;
  }
  return false;
}

/**
 * Throws `source-authorization` unless `origin` may act for `source` (draft §8.1):
 * - client (row 25): the source's domain must be one this gateway serves (SHOULD); local policy
 *   (§8.1 "per-identity checks against SASL credentials") additionally requires an authenticated
 *   identity covering it, and `needIdentity` (part 4 row 28: listen, store management, start-wi,
 *   terminate) refuses unauthenticated clients ("authenticate first" is `source-authorization`,
 *   part 4 row 10);
 * - peer (row 26, MUST): the source's domain must equal the domain the peer authenticated as,
 *   and nothing else is refused on source grounds (SHOULD NOT);
 * - adapter: the source's domain must be one the adapter registered (it is the remote gateway for
 *   those domains, docs/architecture.md part 5, docs/hub-protocol.md part 5.1).
 */
export function authorizeSource(
  authority: Authority,
  origin: Origin,
  source: Address,
  needIdentity: boolean,
): void {
  const domain = source.domain;
  switch (origin.kind) {
    case 'client': {
      if (!authority.isServed(domain))
        throw new HubError('source-authorization', `this gateway does not serve ${domain}`);
      const ids = origin.identities;
      if (ids === undefined) {
        if (needIdentity) throw new HubError('source-authorization', 'authenticate first');
        return;
      }
      if (!mayActFor(ids, source))
        throw new HubError('source-authorization', 'the client may not act for this source');
      return;
    }
    case 'peer':
      if (origin.peerDomain === undefined || origin.peerDomain.toLowerCase() !== domain)
        throw new HubError('source-authorization', `the peer may only speak for its own domain`);
      return;
    case 'adapter': {
      const domains = authority.adapterDomains(origin.endpoint.id);
      if (domains === undefined || !domains.has(domain))
        throw new HubError('source-authorization', `the adapter does not serve ${domain}`);
      return;
    }
  }
}
