/**
 * PostgreSQL's errors in plain words (issue 15, "Failure behaviour"; docs/storage-postgres.md,
 * "When something goes wrong"): each StoreError line names the server (no password) and says what
 * to do. SQLSTATE classes are those of the PostgreSQL manual, appendix A ("PostgreSQL Error
 * Codes"); socket errors are Node's (ECONNREFUSED, ...).
 */
import { StoreError, reasonOf } from '../errors.js';

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * An error of one statement's data (class 22 data exception: a NUL in a text, a number out of
 * range; class 23 integrity constraint; class 54 program limit, a value too large): the batch is
 * run again with a savepoint per operation, so that operation fails alone and the rest commit.
 */
export function isStatementError(err: unknown): boolean {
  const code = codeOf(err);
  return /^(22|23|54)/.test(code) || err instanceof TypeError || err instanceof RangeError;
}

/** The server cannot be reached, or went away (socket errors, class 08, shutdown, timeouts). */
function isUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  if (/^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ENOENT)/.test(code)) return true;
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  const text = reasonOf(err);
  return /Connection terminated|timeout|connection is not queryable|Client has encountered a connection error/i.test(
    text,
  );
}

const UNREACHABLE_HINT =
  'check that the PostgreSQL server runs and accepts connections there, or correct storage.url';

/** Why the store at `location` (a redacted URL) could not open. */
export function openFailure(err: unknown, location: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const reason = reasonOf(err);
  const what = `cannot connect to the PostgreSQL server ${location}`;
  if (code === '28P01' || code === '28000')
    return new StoreError(
      'cannot-open',
      location,
      `${what}: the server refused the login (${reason}); check the user and password in storage.url`,
      { cause: err },
    );
  if (code === '3D000')
    return new StoreError(
      'cannot-open',
      location,
      `${what}: the database does not exist (${reason}); create it (createdb, or CREATE DATABASE) or correct storage.url`,
      { cause: err },
    );
  if (code === '42501')
    return new StoreError(
      'cannot-open',
      location,
      `the PostgreSQL user of ${location} may not create the store's tables (${reason}); grant it CREATE on the database's schema`,
      { cause: err },
    );
  if (code === '53300')
    return new StoreError(
      'cannot-open',
      location,
      `${what}: it has no connection left (${reason}); raise its max_connections or lower storage.postgres.maxConnections`,
      { cause: err },
    );
  if (isUnreachable(err))
    return new StoreError('cannot-open', location, `${what} (${reason}): ${UNREACHABLE_HINT}`, {
      cause: err,
    });
  return new StoreError('failed', location, `${what}: ${reason}`, { cause: err });
}

/** Why a transaction of `count` operations on `location` was not committed. */
export function commitFailure(err: unknown, location: string, count: number): StoreError {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const reason = reasonOf(err);
  const what = `the store ${location} did not commit ${count} operation${count === 1 ? '' : 's'}`;
  if (code === '53100')
    return new StoreError(
      'write-failed',
      location,
      `${what}: the server's disk is full; free some space there`,
      {
        cause: err,
      },
    );
  if (code === '25006')
    return new StoreError(
      'write-failed',
      location,
      `${what}: the server is read-only (a standby?); point storage.url at the primary`,
      {
        cause: err,
      },
    );
  if (isUnreachable(err))
    return new StoreError(
      'write-failed',
      location,
      `${what}: the server is unreachable (${reason}); ${UNREACHABLE_HINT}`,
      {
        cause: err,
      },
    );
  return new StoreError('write-failed', location, `${what}: ${reason}`, { cause: err });
}
