/**
 * The first, purely syntactic reading of an im: / pres: URI: scheme, `to` and headers as written,
 * percent-decoded but not yet checked as a mailbox or normalized (address.ts does that). The
 * vectors' `to` field (uri-vectors.json) is this view.
 */
import { CodecError } from '../errors.js';
import { checkUric, linePosition, percentDecode } from './address-syntax.js';

export type Scheme = 'im' | 'pres';
export type UriHeader = readonly [name: string, value: string];

export interface ParseAddressOptions {
  /** Scheme for ids written without one (`joe@example.net`, docs/hub-protocol.md part 4 row 8). */
  readonly defaultScheme?: Scheme;
}

/** The URI as written, split per the ABNF and percent-decoded, before normalization. */
export interface UriParts {
  readonly scheme: Scheme;
  /** The addr-spec after percent-decoding, exactly as written; null when there is no `to`. */
  readonly to: string | null;
  readonly headers: readonly UriHeader[];
}

const SCHEMES: Record<string, Scheme> = {
  im: 'im',
  pres: 'pres',
  // draft-hudson-impp-transfer-proposal-01 §9 names presentities `presence:`.
  presence: 'pres',
  // Hudson §9 text and its PI examples write `imto:`; accepted on input, never emitted
  // (docs/hub-protocol.md part 4 row 9).
  imto: 'im',
};

export function ruleOf(scheme: Scheme): { name: string; rule: string } {
  return scheme === 'im'
    ? { name: 'IM-URI', rule: 'RFC 3860 A.2' }
    : { name: 'PRES-URI', rule: 'RFC 3859 A.2' };
}

/**
 * Splits `text` per RFC 3860 A.2 / RFC 3859 A.2:
 *   IM-URI = "im:" [ to ] [ headers ]; headers = "?" header *( "&" header ); header = hname "=" hvalue
 * Scheme names compare case-insensitively (RFC 2396 3.1).
 */
export function parseUriParts(text: string, options: ParseAddressOptions = {}): UriParts {
  let scheme: Scheme;
  let start: number;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (m) {
    const name = m[1]!.toLowerCase();
    const known = SCHEMES[name];
    if (known === undefined)
      throw new CodecError(
        `unsupported scheme '${name}:' (expected im:, pres:, presence: or imto:)`,
        'RFC 3860 A.2',
      );
    scheme = known;
    start = m[0].length;
  } else if (options.defaultScheme !== undefined && text !== '') {
    scheme = options.defaultScheme;
    start = 0;
  } else {
    throw new CodecError(
      text === '' ? 'empty address' : 'missing scheme: expected im: or pres:',
      'RFC 3860 A.2',
    );
  }
  const { name, rule } = ruleOf(scheme);
  const rest = text.slice(start);
  checkUric(rest, start, name, rule);
  const q = rest.indexOf('?');
  const toRaw = q < 0 ? rest : rest.slice(0, q);
  const to = toRaw === '' ? null : percentDecode(toRaw, start);
  const headers: UriHeader[] = [];
  if (q >= 0) {
    let offset = start + q + 1;
    for (const h of rest.slice(q + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq < 0) throw new CodecError('a header needs hname "=" hvalue', rule, linePosition(offset));
      headers.push([percentDecode(h.slice(0, eq), offset), percentDecode(h.slice(eq + 1), offset + eq + 1)]);
      offset += h.length + 1;
    }
  }
  return { scheme, to, headers };
}
