/**
 * Where a PostgreSQL store lives, said without its password (issue 15, "Failure behaviour": every
 * line names the database; docs/security.md: secrets never reach a log). `storage.url` is a
 * libpq connection URI (PostgreSQL docs, "Connection URIs"): postgres://user:password@host:port/db.
 */

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);
const NOT_A_URL = 'postgres://(storage.url is not a postgres:// URL)';

/** The URL with any password removed: `Store.location`, log lines, error lines. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return NOT_A_URL;
  }
  // Not a URL we can take apart: say only that, never echo what may hold a password.
  if (!POSTGRES_SCHEMES.has(parsed.protocol)) return NOT_A_URL;
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()])
    if (key.toLowerCase() === 'password') parsed.searchParams.set(key, '***');
  return parsed.toString();
}

/**
 * The URL split for pg_dump (../postgres/backup.ts): the password travels in PGPASSWORD, never on
 * a command line another user could read with `ps`.
 */
export function splitPassword(url: string): { readonly url: string; readonly password: string | undefined } {
  const parsed = new URL(url);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), password };
}
