/**
 * Reading PITP headers into model values, and writing PI into answers and notifies (draft §11,
 * §15; docs/hub-protocol.md parts 2.6, 2.10). Identifiers without a scheme default to `presence:`
 * (part 4 row 8); identifier problems are `malformed`.
 */
import { CodecError, HubError } from '../errors.js';
import { getHeader, requireHeader, type Header, type Headers } from '../protocol/index.js';
import { parseAddress, toPres, type PresAddress } from '../model/index.js';
import type { RouterContext } from './context.js';
import type { Operation, Origin } from './operation.js';
import { piType, type PresenceInfo } from './presence-store.js';
import { PIDF_TYPE } from './presence-translate.js';

const PRES = { defaultScheme: 'pres' } as const;

/** A presentity or watcher identifier; `im:` names the same principal (Hudson §4). */
export function readPresentity(text: string): PresAddress {
  const a = parseAddress(text.trim(), PRES);
  if (a.domain === '') throw new CodecError('names no presentity', 'RFC 3859 3.4.1');
  return a.scheme === 'pres' ? a : toPres(a);
}

export interface PresentityHeader {
  readonly address: PresAddress;
  readonly text: string;
}

export function presentityOf(headers: Headers, name = 'Presentity'): PresentityHeader {
  const text = requireHeader(headers, name).trim();
  return { address: readPresentity(text), text };
}

export interface SubscriptionHeader {
  /** The connection-id; '' when blank. */
  readonly token: string;
  readonly watcher: PresAddress;
  readonly watcherText: string;
}

/** `Subscription: [fws] connection-id [fws] "/" [fws] url *WSP`, connection-id = *(ALPHA / DIGIT) (§11.7). */
export function subscriptionOf(headers: Headers): SubscriptionHeader {
  const value = requireHeader(headers, 'Subscription');
  const slash = value.indexOf('/');
  if (slash < 0) throw new HubError('malformed', 'Subscription needs connection-id "/" url');
  const token = value.slice(0, slash).trim();
  if (!/^[A-Za-z0-9]*$/.test(token)) throw new HubError('malformed', 'connection-id is alphanumeric');
  const watcherText = value.slice(slash + 1).trim();
  return { token, watcher: readPresentity(watcherText), watcherText };
}

/** Mapping: a positive decimal integer (§11.6); `malformed` otherwise. */
export function mappingOf(headers: Headers): number {
  const v = requireHeader(headers, 'Mapping').trim();
  if (!/^[1-9][0-9]{0,8}$/.test(v)) throw new HubError('malformed', 'Mapping is a positive integer');
  return Number(v);
}

/** The PI a command carries: its payload verbatim and its Content-Type as written; none = null. */
export function piOf(ctx: RouterContext, op: Operation): PresenceInfo | null {
  if (op.payload === undefined) return null;
  if (op.payload.length > ctx.limits.maxPresenceBytes)
    throw new HubError('quota', `presence information is limited to ${ctx.limits.maxPresenceBytes} octets`);
  const contentType = getHeader(op.headers, 'Content-Type');
  return contentType === undefined ? { bytes: op.payload } : { contentType, bytes: op.payload };
}

/**
 * The PI as it goes to a party accepting `accept` (docs/hub-protocol.md part 5.4): verbatim, unless
 * the party lists types, the PI's is not among them and the `translate` hook offers a version.
 * `presentity` names the PI's presentity for documents that do not name it themselves.
 */
export function presentTo(
  ctx: RouterContext,
  pi: PresenceInfo,
  accept: readonly string[] | undefined,
  presentity?: string,
): PresenceInfo {
  if (accept === undefined || accept.length === 0 || ctx.translate === undefined) return pi;
  const type = piType(pi).split(';')[0]!.trim().toLowerCase();
  for (const a of accept) if (a.toLowerCase() === type) return pi;
  return ctx.translate(pi, accept[0]!, presentity) ?? pi;
}

/**
 * The presence types a watcher command's origin accepts, best first (issue 12, part 5.4):
 * - a client may name them in an `Accept` header on fetch or subscribe, comma-separated, a local
 *   extension (draft §10: unknown headers are ignored by endpoints, so other servers are
 *   unaffected); without one it gets the PI as published;
 * - an adapter gets the core's presence model, PIDF (RFC 3863), unless its origin says otherwise:
 *   the adapters read PIDF (docs/architecture.md part 1: presence travels as PIDF);
 * - a peer gets the PI as published (its own router translates for its watchers), whatever a
 *   relayed `Accept` says.
 */
export function acceptOf(op: Operation, origin: Origin): readonly string[] | undefined {
  if (origin.kind === 'peer') return origin.accept;
  const header = getHeader(op.headers, 'Accept');
  if (origin.kind === 'client' && header !== undefined) {
    const types = header
      .split(',')
      .map((t) => t.split(';')[0]!.trim())
      .filter((t) => t !== '');
    if (types.length > 0) return types;
  }
  return origin.accept ?? (origin.kind === 'adapter' ? ADAPTER_ACCEPT : undefined);
}

const ADAPTER_ACCEPT: readonly string[] = Object.freeze([PIDF_TYPE]);

/** `headers` plus the PI's Content-Type when it has one. */
export function withPiType(headers: Header[], pi: PresenceInfo): Header[] {
  if (pi.contentType !== undefined) headers.push(['Content-Type', pi.contentType]);
  return headers;
}
