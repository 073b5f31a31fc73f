/**
 * Identity (docs/architecture.md part 8 "Identity"): the author shown to anyone is the
 * authenticated source. That is the `Sender` as source authorization accepted it (draft §8.1),
 * or an `Orig-Sender` (draft §16.2) accepted only from an origin that may speak for that
 * identity: a client whose SASL identities cover it, an adapter for the domains it registered, a
 * peer for the domain it authenticated as. The draft leaves Orig-Sender outside source
 * authorization; without this check any client could post to a room as anyone, and the room would
 * skip the member it named (issue 13 defect 3).
 */
import { HubError } from '../errors.js';
import { claimedAuthorNote, parseCpim, type CpimPayload } from '../codec/cpim/index.js';
import { tryParseAddress, type ImAddress } from '../model/index.js';
import type { Logger } from '../log.js';
import { getHeader, type Headers } from '../protocol/index.js';
import type { Origin } from './operation.js';
import { authorizeSource, type Authority } from './source-auth.js';

const AUTHOR_CACHE_SIZE = 4096;
/** Parsed Orig-Sender values by header text (the same few authors write again and again). */
const authors = new Map<string, ImAddress | null>();

function readAuthor(text: string): ImAddress | null {
  let a = authors.get(text);
  if (a === undefined) {
    const parsed = tryParseAddress(text.trim(), { defaultScheme: 'im' });
    a =
      parsed instanceof Error || parsed.scheme !== 'im' || parsed.domain === ''
        ? null
        : (parsed as ImAddress);
    if (authors.size >= AUTHOR_CACHE_SIZE) authors.clear();
    authors.set(text, a);
  }
  return a;
}

/**
 * The verified author of a `send` whose `sender` already passed source authorization: the sender
 * itself when there is no Orig-Sender (no allocation on that, the common, path), else the
 * Orig-Sender once `origin` may speak for it. A second Orig-Sender or one that is not an
 * instant inbox is `malformed`; one the origin may not speak for is `source-authorization`.
 */
export function verifiedAuthor(
  authority: Authority,
  origin: Origin,
  headers: Headers,
  sender: ImAddress,
  log?: Logger,
): ImAddress {
  let text: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== 'Orig-Sender') continue;
    if (text !== undefined) throw new HubError('malformed', 'at most one Orig-Sender');
    text = h[1];
  }
  if (text === undefined) return sender;
  const author = readAuthor(text);
  if (author === null) throw new HubError('malformed', 'Orig-Sender is not an instant inbox');
  if (author.uri === sender.uri) return sender;
  try {
    // needIdentity: an unauthenticated client speaks for nobody but its Sender.
    authorizeSource(authority, origin, author, true);
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    // An impersonation attempt affects the user it names: warn (docs/architecture.md part 8).
    // Bounded like every send by the per-sender rate, which is checked first (imtp.ts).
    log?.warn(
      { sender: sender.uri, claimed: author.uri, origin: origin.kind, connection: origin.connectionId },
      'Orig-Sender refused, answered source-authorization',
    );
    throw new HubError('source-authorization', `Orig-Sender ${author.uri} refused: ${e.message}`);
  }
  return author;
}

/**
 * `identity.mismatchedFrom: refuse`: a Message/CPIM payload (RFC 3862 §3.3.1) whose `From` names
 * someone other than the verified author is `source-authorization`. Only in that mode is the
 * payload read at all (the hot path never looks into it, docs/cpim.md row 34); an unreadable
 * CPIM payload is left to the recipient, which answers it as it always did.
 */
export function refuseMismatchedFrom(headers: Headers, payload: Uint8Array, author: ImAddress): void {
  const type = getHeader(headers, 'Content-Type');
  if (type === undefined || !/^\s*message\/cpim\s*(;|$)/i.test(type)) return;
  let from: string | undefined = (payload as CpimPayload).cpimFacts?.from;
  if (from === undefined) {
    const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
    if (r.result === 'reject') return;
    from = r.message.semantics.from?.uri;
  }
  if (claimedAuthorNote(author.uri, from) !== null)
    throw new HubError(
      'source-authorization',
      `the message/cpim From ${from} is not the sender ${author.uri}`,
    );
}
