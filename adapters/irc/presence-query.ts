/**
 * IRC users as presence watchers (issue 12): a private message `!presence ADDRESS` to the
 * gateway's nick becomes a PITP fetch (draft §15.4) with Watcher = the nick's `pres:` URI, and the
 * answer a NOTICE saying online, offline or unknown (RFC 2812 3.3.2: automatic replies are
 * NOTICEs). The router gives adapters the core's presence model, PIDF (RFC 3863), whatever format
 * the presentity published (src/router/presence-translate.ts), so only PIDF is read here; anything
 * else is shown as unknown.
 */
import {
  getHeader,
  parseAddress,
  parsePidf,
  toPres,
  type AdapterContext,
  type Address,
  type Answer,
} from '../../src/index.js';

const QUERY = /^!presence(?:\s+(\S*))?\s*$/i;
const PIDF = 'application/pidf+xml';

/**
 * The presentity a `!presence` line asks about: a `pres:` URI string; '' when the line is the
 * command with no valid address; null when the line is not the command at all.
 */
export function presenceQuery(text: string): string | null {
  const m = QUERY.exec(text.trim());
  if (m === null) return null;
  try {
    // Scheme-less ids default to presence (docs/hub-protocol.md part 4 row 8); im: names the same
    // principal (Hudson §4).
    const a: Address = parseAddress(m[1] ?? '', { defaultScheme: 'pres' });
    return a.domain === '' ? '' : toPres(a).uri;
  } catch {
    return '';
  }
}

/** The NOTICE text for the fetch answer about `who`. */
export function describePresence(who: string, a: Answer): string {
  if (a.status === 'error') return `No presence for ${who}: ${getHeader(a.headers, 'Error-Type') ?? 'error'}`;
  const type = (getHeader(a.headers, 'Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (a.payload === undefined || type !== PIDF) return `${who} is unknown`;
  try {
    const doc = parsePidf(a.payload, { lenient: true }).document;
    const open = doc.tuples.some((t) => t.basic === 'open');
    const note = doc.tuples.flatMap((t) => t.notes).concat(doc.notes)[0]?.text;
    return `${who} is ${open ? 'online' : 'offline'}${note === undefined ? '' : ` (${note})`}`;
  } catch {
    return `${who} is unknown`;
  }
}

/** Fetches `presentity` as `watcher` (both `pres:` URIs) and says what the watcher may see. */
export async function queryPresence(
  ctx: AdapterContext,
  watcher: string,
  presentity: string,
): Promise<string> {
  const a = await ctx.hub.request({
    protocol: 'pitp',
    method: 'fetch',
    headers: [
      ['Watcher', watcher],
      ['Presentity', presentity],
    ],
  });
  return describePresence(presentity, a);
}
