/**
 * Pure translation between IRC and the CPIM model: addressing (docs/architecture.md part 6), the line
 * budget and line splitting. No I/O.
 */
/* eslint-disable no-control-regex -- IRC text and its formatting are made of control characters */
import { makeAddress, parseAddress, type ImAddress } from '../../src/index.js';

/** What the server told us in RPL_ISUPPORT (numeric 005, draft-brocklesby-irc-isupport 3). */
export interface IrcServerInfo {
  readonly casemapping: string;
  readonly nicklen: number;
  readonly chantypes: string;
}

// RFC 2812 2.2 defaults: rfc1459 case mapping, NICKLEN 9, channel types "#&+!".
export const DEFAULT_SERVER_INFO: IrcServerInfo = { casemapping: 'rfc1459', nicklen: 9, chantypes: '#&+!' };

/** Builds IrcServerInfo from irc-framework's `network.options` (ISUPPORT tokens). */
export function serverInfoFrom(options: Record<string, unknown>): IrcServerInfo {
  const cm = options['CASEMAPPING'];
  const nl = Number(options['NICKLEN']);
  const ct = options['CHANTYPES'];
  return {
    casemapping: typeof cm === 'string' ? cm.toLowerCase() : DEFAULT_SERVER_INFO.casemapping,
    nicklen: Number.isInteger(nl) && nl > 0 ? nl : DEFAULT_SERVER_INFO.nicklen,
    chantypes: Array.isArray(ct) ? ct.join('') : typeof ct === 'string' ? ct : DEFAULT_SERVER_INFO.chantypes,
  };
}

/**
 * Case folding by CASEMAPPING (draft-brocklesby-irc-isupport 3.1; RFC 2812 2.2: `{}|^` are the
 * lower case of `[]\~` under rfc1459, `~`/`^` excluded under strict-rfc1459). Unknown mappings
 * (rfc7613 and others) fold ASCII only, which is what they all share.
 */
export function foldCase(name: string, casemapping: string): string {
  let out = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (casemapping === 'rfc1459' || casemapping === 'strict-rfc1459') {
    out = out.replace(/[[\]\\]/g, (c) => (c === '[' ? '{' : c === ']' ? '}' : '|'));
    if (casemapping === 'rfc1459') out = out.replace(/~/g, '^');
  }
  return out;
}

export function sameName(a: string, b: string, info: IrcServerInfo): boolean {
  return foldCase(a, info.casemapping) === foldCase(b, info.casemapping);
}

export function isChannelName(name: string, info: IrcServerInfo): boolean {
  return name.length > 1 && info.chantypes.includes(name[0]!);
}

// RFC 2812 2.3.1: nickname = ( letter / special ) *( letter / digit / special / "-" ).
const NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

export function isValidNick(name: string, info: IrcServerInfo): boolean {
  return name.length <= info.nicklen && NICK.test(name);
}

/**
 * The URI of a nick or channel (docs/architecture.md part 6): `im:<folded name>@<network domain>`. Folding
 * by the server's CASEMAPPING makes `Alice` and `alice` one identity; the model percent-encodes
 * what a URI cannot carry raw (`#dev` → `im:%23dev@irc.example.org`).
 */
export function ircToAddress(name: string, domain: string, info: IrcServerInfo): ImAddress {
  return makeAddress('im', foldCase(name, info.casemapping), domain);
}

export type IrcTarget = { readonly kind: 'channel' | 'nick'; readonly name: string };

/** The reverse of ircToAddress; null when the URI names nothing this network could have. */
export function addressToTarget(a: ImAddress, domain: string, info: IrcServerInfo): IrcTarget | null {
  if (a.domain !== domain.toLowerCase()) return null;
  const name = a.local;
  if (isChannelName(name, info)) return /^[^\s,\x07\0\r\n]+$/.test(name) ? { kind: 'channel', name } : null;
  return isValidNick(name, info) ? { kind: 'nick', name } : null;
}

/** Parses an im: URI text, or null. */
export function tryInbox(text: string | undefined): ImAddress | null {
  if (text === undefined) return null;
  try {
    const a = parseAddress(text.trim(), { defaultScheme: 'im' });
    return a.scheme === 'im' && a.domain !== '' ? a : null;
  } catch {
    return null;
  }
}

/**
 * The nick of a puppet for a remote user (docs/bridge-requirements.md row 9): the local part reduced to nick
 * characters, cut so that it and `suffix` fit NICKLEN, then `suffix`. `attempt` > 0 adds a digit
 * collision suffix before `suffix`.
 */
export function puppetNick(a: ImAddress, suffix: string, info: IrcServerInfo, attempt = 0): string {
  let base = a.local.replace(/[^A-Za-z0-9[\]\\`_^{|}-]/g, '');
  if (base === '' || /^[0-9-]/.test(base)) base = 'u' + base;
  const tail = (attempt > 0 ? String(attempt) : '') + suffix;
  const room = Math.max(1, info.nicklen - tail.length);
  return (base.slice(0, room) + tail).slice(0, info.nicklen);
}

// --- Line budget and splitting (RFC 1459 2.3: 512 octets per line, CR LF included) -----------

export const IRC_LINE_BYTES = 512;

export interface Hostmask {
  readonly nick: string;
  readonly user: string;
  readonly host: string;
}

/** Splits a message source `nick!user@host` into its atoms (RFC 1459 2.3.1 prefix). */
export function parseUserhost(source: string): Hostmask {
  const at = source.indexOf('@');
  const host = at < 0 ? '' : source.slice(at + 1);
  const nu = at < 0 ? source : source.slice(0, at);
  const bang = nu.indexOf('!');
  return bang < 0
    ? { nick: nu, user: '', host }
    : { nick: nu.slice(0, bang), user: nu.slice(bang + 1), host };
}

const enc = new TextEncoder();
export const byteLength = (s: string): number => enc.encode(s).length;

/**
 * The octets left for text in `COMMAND target :text` as other clients receive it: the server
 * prefixes our `:nick!user@host ` (RFC 1459 2.3.1), so the budget counts it, the command, the
 * target, the separators and the CR LF.
 */
export function textBudget(mask: Hostmask, command: string, target: string): number {
  const prefix = `:${mask.nick}!${mask.user}@${mask.host} ${command} ${target} :`;
  return IRC_LINE_BYTES - 2 - byteLength(prefix);
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const COLOUR_OR_TEXT =
  /(\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9A-Fa-f]{6}(?:,[0-9A-Fa-f]{6})?)?)|[^\x03\x04]+/g;

/**
 * Units that are never cut: an IRC colour code with its digits, or a grapheme cluster (UAX #29
 * extended grapheme clusters, by Intl.Segmenter), so that 👩‍👩‍👧 or e + U+0301 never ends one
 * IRC line and starts the next (issue 20). A cluster longer than `max` octets (a pile of
 * combining marks) is cut into code points: a line never exceeds its budget.
 */
function units(text: string, max = Infinity): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(COLOUR_OR_TEXT)) {
    if (m[1] !== undefined) {
      out.push(m[1]);
      continue;
    }
    for (const { segment } of GRAPHEMES.segment(m[0]))
      if (byteLength(segment) <= max) out.push(segment);
      else out.push(...Array.from(segment));
  }
  return out;
}

/**
 * Splits one line of text into pieces of at most `budget` UTF-8 octets, never inside a grapheme
 * cluster or a colour code, preferring to break before white space in the last third of a piece.
 * Joining the pieces gives back the text exactly.
 */
export function splitLine(text: string, budget: number): string[] {
  if (budget < 4) throw new RangeError('line budget too small');
  if (byteLength(text) <= budget) return text === '' ? [] : [text];
  const out: string[] = [];
  let cur: string[] = [];
  let curBytes = 0;
  let lastSpace = -1;
  for (const u of units(text, budget)) {
    const b = byteLength(u);
    while (curBytes + b > budget && cur.length > 0) {
      let cut = cur.length;
      // The space starts the next piece: servers and clients may trim a line's trailing space.
      if (lastSpace > 0 && lastSpace >= (cur.length * 2) / 3) cut = lastSpace;
      out.push(cur.slice(0, cut).join(''));
      cur = cur.slice(cut);
      curBytes = byteLength(cur.join(''));
      lastSpace = -1;
      for (let i = 0; i < cur.length; i++) if (cur[i] === ' ') lastSpace = i;
    }
    cur.push(u);
    curBytes += b;
    if (u === ' ') lastSpace = cur.length - 1;
  }
  if (cur.length > 0) out.push(cur.join(''));
  return out;
}

/**
 * A message as IRC lines (docs/bridge-requirements.md row 2): split at line breaks (empty lines, and
 * lines of white space only, dropped: IRC cannot send them), then each line by `splitLine`.
 */
export function splitMessage(text: string, budget: number): string[] {
  const out: string[] = [];
  // A line of white space only is dropped like an empty one: it would show as a blank PRIVMSG.
  for (const line of text.split(/\r\n|\r|\n/)) if (line.trim() !== '') out.push(...splitLine(line, budget));
  return out;
}

/** Cuts `text` to at most `budget` octets at a code point boundary, ending with "…" if cut. */
export function clipLine(text: string, budget: number): string {
  if (byteLength(text) <= budget) return text;
  let out = '';
  let bytes = 3; // "…"
  for (const u of units(text, budget - 3)) {
    bytes += byteLength(u);
    if (bytes > budget) break;
    out += u;
  }
  return out + '…';
}

/** True when a quit reason looks like a netsplit: two server names (RFC 2813 has no marker). */
export function isNetsplitQuit(reason: string | undefined): boolean {
  return reason !== undefined && /^[\w.-]+\.[\w-]+ [\w.-]+\.[\w-]+$/.test(reason.trim());
}
