/**
 * Presence normalised in the core (issue 12; docs/hub-protocol.md part 5.4): the router's default
 * `translate` hook. A PI is stored and relayed as published; only when a watcher states the types
 * it accepts (an adapter: the core's presence model, PIDF; a client: an `Accept` header) and the
 * PI's type is not among them is it translated here, between Hudson's `application/presence`
 * (draft-hudson-impp-pidf-proposal-01, the PITP default type, draft §10) and PIDF (RFC 3863),
 * with the lossy mapping of src/codec/presence-map.ts.
 *
 * Results are cached per published version: a stored PI's octets are one Uint8Array shared by
 * every watcher of that version (presence-store.ts: `change` makes a new PI), so the cache is a
 * WeakMap keyed by those octets and dies with them. An unknown or unreadable PI is passed on
 * unchanged (the watcher shows it as unknown) and logged at `warn` once per version, not once per
 * watcher. Signed or encrypted bodies (`multipart/signed`, ...) are unknown types here and so are
 * never rewritten (part 5.4).
 *
 * Bounded work: a PI is at most `maxPresenceBytes` (16 KiB by default, part 4 row 26) before it
 * reaches the store or a notify, and both parsers are linear, so this stays on the event loop.
 */
import { CodecError } from '../errors.js';
import type { Logger } from '../log.js';
import { buildPidf, parsePidf } from '../codec/pidf/index.js';
import type { PidfDocument } from '../codec/pidf/types.js';
import { pidfToPresence, presenceToPidf } from '../codec/presence-map.js';
import { parsePresenceText, serializePresenceText } from '../codec/presence-text/index.js';
import type { PresenceInfo } from './presence-store.js';

export const PIDF_TYPE = 'application/pidf+xml';
export const PRESENCE_TEXT_TYPE = 'application/presence';

/** The signature of `RouterOptions.translate`. */
export type TranslateFn = (pi: PresenceInfo, acceptType: string, presentity?: string) => PresenceInfo | null;

/** `type/subtype` of a Content-Type value, lower-cased, parameters dropped. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/**
 * What a PI is. A labelled PI is what its Content-Type says. An unlabelled one is
 * `application/presence` by the PITP default (draft §10, part 3 row 9), unless its first
 * non-blank octet is `<`: no Hudson document starts so (its grammar starts with a varname,
 * companion draft §4), so that is a PIDF document sent without a label (as inspect.ts decides).
 */
export function formatOf(pi: PresenceInfo): string {
  if (pi.contentType !== undefined) return mediaType(pi.contentType);
  const b = pi.bytes;
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === 0x0a)) i++;
  // A UTF-8 byte order mark before the XML declaration.
  if (b[i] === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i += 3;
  return b[i] === 0x3c ? PIDF_TYPE : PRESENCE_TEXT_TYPE;
}

const utf8 = new TextEncoder();

/** application/presence → PIDF (part 5.4, left to right); `presentity` names a document without one. */
function textToPidf(bytes: Uint8Array, presentity: string | undefined): Uint8Array {
  const doc = parsePresenceText(bytes, { lenient: true }).document;
  const mapped = presenceToPidf(doc, presentity === undefined ? {} : { entity: presentity });
  return utf8.encode(buildPidf(mapped.result));
}

/**
 * Decision: a PIDF tuple without `<contact>` (what the IRC and web adapters publish: the person
 * is reachable at their own address) becomes a Hudson contact at the presentity's `im:` address
 * (Hudson §4: `im:` and `presence:` of one identifier name one principal). Without this the
 * mapping drops such tuples and a native client would see no contact at all.
 */
function withOwnContact(doc: PidfDocument): PidfDocument {
  if (doc.tuples.every((t) => t.contact !== null)) return doc;
  const own = /^pres:/i.test(doc.entity) ? `im:${doc.entity.slice(5)}` : doc.entity;
  return {
    ...doc,
    tuples: doc.tuples.map((t) => (t.contact === null ? { ...t, contact: { uri: own, priority: null } } : t)),
  };
}

/** PIDF → application/presence (part 5.4, right to left). */
function pidfToText(bytes: Uint8Array): Uint8Array {
  const doc = withOwnContact(parsePidf(bytes, { lenient: true }).document);
  return utf8.encode(serializePresenceText(pidfToPresence(doc).result));
}

const CONVERTERS: Record<string, (bytes: Uint8Array, presentity: string | undefined) => Uint8Array> = {
  [`${PRESENCE_TEXT_TYPE}>${PIDF_TYPE}`]: textToPidf,
  [`${PIDF_TYPE}>${PRESENCE_TEXT_TYPE}`]: (bytes) => pidfToText(bytes),
};

/** Why a conversion failed, for the log line (codec errors carry the rule they broke). */
function reasonOf(e: unknown): string {
  if (e instanceof CodecError) return `${e.message} (${e.rule})`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The core's translator. Returns the PI as `acceptType`, the PI relabelled when it already is
 * that type but was sent unlabelled, or null (pass it on as it is) when no translation exists or
 * the PI cannot be read.
 */
export function createPresenceTranslator(log?: Logger): TranslateFn {
  const cache = new WeakMap<Uint8Array, Map<string, PresenceInfo | null>>();
  const warned = new WeakSet<Uint8Array>();

  function warnOnce(pi: PresenceInfo, presentity: string | undefined, reason: string, to: string): void {
    if (warned.has(pi.bytes)) return;
    warned.add(pi.bytes);
    log?.warn(
      { presentity, contentType: pi.contentType ?? null, acceptType: to, reason },
      'presence not translated; watchers see it as unknown',
    );
  }

  function compute(pi: PresenceInfo, to: string, presentity: string | undefined): PresenceInfo | null {
    const from = formatOf(pi);
    if (from === to) return { contentType: to, bytes: pi.bytes };
    const convert = CONVERTERS[`${from}>${to}`];
    if (convert === undefined) {
      warnOnce(pi, presentity, `no translation from ${from} to ${to}`, to);
      return null;
    }
    try {
      return { contentType: to, bytes: convert(pi.bytes, presentity) };
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      warnOnce(pi, presentity, reasonOf(e), to);
      return null;
    }
  }

  return (pi, acceptType, presentity) => {
    const to = mediaType(acceptType);
    let byType = cache.get(pi.bytes);
    if (byType === undefined) cache.set(pi.bytes, (byType = new Map()));
    // A PI's octets carry one label per version, so (octets, target type) is the whole key.
    if (byType.has(to)) return byType.get(to)!;
    const out = compute(pi, to, presentity);
    byType.set(to, out);
    return out;
  };
}
