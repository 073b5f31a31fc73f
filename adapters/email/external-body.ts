/**
 * Files that travel as links (issue 17, "Attachments"): a `message/external-body;
 * access-type=URL` part (RFC 2046 5.2.3, RFC 2017) names a file kept elsewhere, the gateway's
 * file store among others (src/files/types.ts). Mail carries such a file as its link in the
 * text, never as an attachment of type message/external-body (whose body is only the phantom
 * header of the file). The MIME reader (src/mime) does not keep the part's parameters, so the
 * parts are found here: one pass over the entity's multipart structure, at most `maxParts`
 * parts and `maxDepth` levels (the same `mime.*` limits). Pure: no I/O.
 */

export interface ExternalFile {
  /** The link (http or https only: other schemes are not shown, RFC 2017 4 leaves them open). */
  readonly url: string;
  readonly filename?: string;
  /** The file's own type, from the phantom header. */
  readonly type?: string;
  /** Octets, when the part says (`size`, RFC 2046 5.2.3). */
  readonly size?: number;
}

export const EXTERNAL_BODY = 'message/external-body';

interface Limits {
  readonly maxDepth: number;
  readonly maxParts: number;
}

/** A Content-Type value's type and parameters (RFC 2045 5.1; quoted strings unescaped). */
export function contentTypeParams(value: string): { type: string; params: Map<string, string> } {
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
  const rest = semi < 0 ? '' : value.slice(semi);
  for (let m = re.exec(rest); m !== null; m = re.exec(rest))
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
  return { type, params };
}

/** The header fields of a part (unfolded, RFC 5322 2.2.3), and where its body starts. */
function headersOf(part: string): { fields: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(part);
  const head = m === null ? part : part.slice(0, m.index);
  const body = m === null ? '' : part.slice(m.index + m[0].length);
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return { fields, body };
}

/** RFC 2017 3: white space inside the URL parameter is not part of the URL. */
function linkOf(params: Map<string, string>): string | undefined {
  if (params.get('access-type')?.toLowerCase() !== 'url') return undefined;
  const url = params.get('url')?.replace(/\s+/g, '');
  return url !== undefined && /^https?:\/\/[^\s<>"]+$/i.test(url) ? url : undefined;
}

function fileOf(params: Map<string, string>, phantom: string): ExternalFile | undefined {
  const url = linkOf(params);
  if (url === undefined) return undefined;
  const { fields } = headersOf(phantom);
  const inner = contentTypeParams(fields.get('content-type') ?? '');
  const disposition = contentTypeParams(
    `x; ${fields.get('content-disposition')?.replace(/^[^;]*;?/, '') ?? ''}`,
  );
  const filename = disposition.params.get('filename') ?? inner.params.get('name');
  const size = Number(params.get('size'));
  return {
    url,
    ...(filename ? { filename } : {}),
    ...(inner.type.includes('/') ? { type: inner.type } : {}),
    ...(Number.isSafeInteger(size) && size >= 0 && params.has('size') ? { size } : {}),
  };
}

/**
 * The external files of an entity of type `contentType` with this body (its transfer encoding
 * an identity one: multipart and message entities are never encoded, RFC 2045 6.4), in order.
 */
export function externalFiles(contentType: string, body: Uint8Array, limits: Limits): ExternalFile[] {
  const out: ExternalFile[] = [];
  let parts = 0;
  const walk = (ct: string, text: string, depth: number): void => {
    const { type, params } = contentTypeParams(ct);
    if (type === EXTERNAL_BODY) {
      const f = fileOf(params, text);
      if (f !== undefined) out.push(f);
      return;
    }
    const boundary = params.get('boundary');
    if (!type.startsWith('multipart/') || boundary === undefined || depth >= limits.maxDepth) return;
    // RFC 2046 5.1.1: parts lie between delimiter lines "--boundary"; the close is "--boundary--".
    const pieces = text.split(new RegExp(`(?:^|\\r?\\n)--${escapeRe(boundary)}`));
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith('--') || ++parts > limits.maxParts) return;
      const { fields, body: inner } = headersOf(piece.replace(/^[ \t]*\r?\n/, ''));
      walk(fields.get('content-type') ?? 'text/plain', inner, depth + 1);
    }
  };
  const { type } = contentTypeParams(contentType);
  if (type !== EXTERNAL_BODY && !type.startsWith('multipart/')) return out;
  walk(contentType, Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1'), 0);
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sizeText(n: number): string {
  return n < 1024
    ? `${n} octets`
    : n < 1024 * 1024
      ? `${Math.ceil(n / 1024)} KB`
      : `${(n / 1048576).toFixed(1)} MB`;
}

/** The line that shows an external file in a mail's text: `name (type, size): link`. */
export function externalFileLine(f: ExternalFile): string {
  const about = [f.type, f.size === undefined ? undefined : sizeText(f.size)].filter((x) => x !== undefined);
  return `${f.filename ?? 'file'}${about.length > 0 ? ` (${about.join(', ')})` : ''}: ${f.url}`;
}
