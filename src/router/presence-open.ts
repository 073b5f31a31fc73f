/**
 * Does a PI say its presentity is reachable? Asked only to tell an idle presence store (issue 12,
 * idle-stores.ts), never on the IMTP send path.
 *
 * Open means: a PIDF tuple with `<basic>open</basic>` (RFC 3863 §4.1.4), or a Hudson contact
 * with `status: open` (draft-hudson-impp-pidf-proposal-01 §5; `closed` and `deferred` are not
 * reachable now). A PI this reader cannot read (another type, a signed body, a broken document)
 * is counted as open: it does not *say* closed, so its store is kept, as before issue 12.
 */
import { CodecError } from '../errors.js';
import { parsePidf } from '../codec/pidf/index.js';
import { parsePresenceText } from '../codec/presence-text/index.js';
import type { PresenceInfo } from './presence-store.js';
import { PIDF_TYPE, PRESENCE_TEXT_TYPE, formatOf } from './presence-translate.js';

export function saysOpen(pi: PresenceInfo): boolean {
  const type = formatOf(pi);
  try {
    if (type === PIDF_TYPE)
      return parsePidf(pi.bytes, { lenient: true }).document.tuples.some((t) => t.basic === 'open');
    if (type === PRESENCE_TEXT_TYPE)
      return parsePresenceText(pi.bytes, { lenient: true }).document.contacts.some(
        (c) => c.status === 'open',
      );
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
  }
  return true;
}
