/**
 * Link tokens and file names (issue 17, docs/files.md "Links"): a token is 144 random bits in
 * base64url (RFC 4648 5), so a link cannot be guessed; the bytes on disk are named by the
 * SHA-256 of the token, so a listing of the folder gives no link away.
 */
import { createHash, randomBytes } from 'node:crypto';

/** 18 octets: 144 bits, 24 base64url characters with no padding. */
const TOKEN_BYTES = 18;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** A token as this store makes them; anything else is not looked up. */
export function isToken(text: string): boolean {
  return /^[A-Za-z0-9_-]{24}$/.test(text);
}

/** The name of a token's bytes in the store's folder. */
export function diskName(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Longest file name kept (characters). */
const MAX_NAME_CHARS = 120;

/**
 * The name shown to readers: the last path segment, no controls, no quotes or backslashes (it
 * goes into a Content-Disposition and a MIME parameter), bounded; `file` when nothing is left.
 */
export function cleanFilename(name: string | undefined, fallback = 'file'): string {
  const last = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = last
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .replace(/^\.+/, '');
  const cut = [...clean].slice(0, MAX_NAME_CHARS).join('');
  return cut === '' ? fallback : cut;
}
