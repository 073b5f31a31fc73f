/**
 * A file kept by the gateway, as a MIME part (issue 17, docs/files.md): `message/external-body;
 * access-type=URL; URL="…"` (RFC 2046 5.2.3, RFC 2017) whose encapsulated header names the file's
 * own `Content-Type` and `Content-Disposition` (RFC 2183: `filename`, and `size`, 2.7). The same
 * URL is repeated as the encapsulated `Content-Location` (RFC 2557 4.2), so a reader that sees
 * only the encapsulated header (postal-mime hands parts over without their parameters) still
 * finds the link. The phantom body is empty: with access-type URL it is never used (RFC 2017 3).
 * Pure: builds and reads text.
 */
export interface ExternalLink {
  readonly url: string;
  /** The file's own type (found from its content by the file store). */
  readonly contentType: string;
  readonly filename: string;
  /** Octets. */
  readonly size: number;
  /** Milliseconds since the epoch after which the link is gone (RFC 2046 5.2.3 `expiration`). */
  readonly expiresAt?: number;
}

export const EXTERNAL_BODY = 'message/external-body';

/** A quoted-string (RFC 2045 5.1): backslash before `"` and `\`. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** A parameter: quoted ASCII, else RFC 2231 4 `name*=UTF-8''…` (a file name in any script). */
function param(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}=${quoted(value)}`;
  const pct = encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${name}*=UTF-8''${pct}`;
}

/** A URL as a MIME parameter value: only what a URL may hold (RFC 3986 2), never a quote or a break. */
function safeUrl(url: string): string {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url) || /["\\]/.test(url)) throw new RangeError(`not a link: ${url}`);
  return url;
}

/** The Content-Type value of the part. */
export function externalBodyType(link: ExternalLink): string {
  const expiration =
    link.expiresAt === undefined ? '' : `; expiration=${quoted(new Date(link.expiresAt).toUTCString())}`;
  return `${EXTERNAL_BODY}; access-type=URL; URL=${quoted(safeUrl(link.url))}; size=${link.size}${expiration}`;
}

/** The part's body: the encapsulated header section and the empty phantom body (CRLF lines). */
export function externalBodyContent(link: ExternalLink): string {
  const type = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(link.contentType)
    ? link.contentType
    : 'application/octet-stream';
  return (
    `Content-Type: ${type}\r\n` +
    `Content-Disposition: attachment; ${param('filename', link.filename)}; size=${link.size}\r\n` +
    `Content-Location: ${safeUrl(link.url)}\r\n` +
    `\r\n`
  );
}

/** The whole part as it goes inside a multipart (its header, a blank line, its body). */
export function externalBodyPart(link: ExternalLink): string {
  return (
    `Content-Type: ${externalBodyType(link)}\r\n` +
    `Content-Disposition: attachment; ${param('filename', link.filename)}\r\n` +
    `\r\n` +
    externalBodyContent(link)
  );
}

/** Header fields of a header section, unfolded (RFC 5322 2.2.3), names lower-cased. */
function fields(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of header.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** The parameters of a structured field value (RFC 2045 5.1), names lower-cased, RFC 2231 decoded. */
export function fieldParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    let name = m[1]!.toLowerCase();
    let v = m[2]!;
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name.endsWith('*')) {
      name = name.slice(0, -1);
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      try {
        v = ext === null ? v : decodeURIComponent(ext[2]!);
      } catch {
        continue;
      }
    }
    if (!out.has(name)) out.set(name, v);
  }
  return out;
}

/**
 * Reads an external-body part: `outerType` its Content-Type value when known (then its URL, size
 * and expiration parameters are read, RFC 2017 3), `encapsulated` its body. Null when it names
 * no http(s) link (another access-type, RFC 2046 5.2.3.1-5.2.3.7: not followed).
 */
export function readExternalBody(outerType: string | undefined, encapsulated: string): ExternalLink | null {
  const head = encapsulated.split(/\r?\n\r?\n/)[0] ?? '';
  const inner = fields(head);
  const outer = outerType === undefined ? new Map<string, string>() : fieldParams(outerType);
  const access = outer.get('access-type');
  if (access !== undefined && access.toLowerCase() !== 'url') return null;
  const url = (outer.get('url') ?? inner.get('content-location') ?? '').replace(/\s+/g, '');
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) return null;
  const disposition = fieldParams(inner.get('content-disposition') ?? '');
  const sizeText = outer.get('size') ?? disposition.get('size');
  const size = sizeText !== undefined && /^\d{1,15}$/.test(sizeText) ? Number(sizeText) : 0;
  const expires = outer.get('expiration');
  const expiresAt = expires === undefined ? NaN : Date.parse(expires);
  const type = (inner.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  const contentTypeParams = fieldParams(inner.get('content-type') ?? '');
  const filename = disposition.get('filename') ?? contentTypeParams.get('name') ?? lastSegment(url);
  return {
    url,
    contentType: type,
    filename,
    size,
    ...(Number.isNaN(expiresAt) ? {} : { expiresAt }),
  };
}

/** The link's last path segment, decoded, as a name when the part gives none. */
function lastSegment(url: string): string {
  const seg = url.split(/[?#]/)[0]!.split('/').pop() ?? '';
  try {
    return decodeURIComponent(seg) || 'file';
  } catch {
    return seg || 'file';
  }
}
