/**
 * SQLite's error codes in plain words (issue 15, "Failure behaviour"; docs/storage.md, "When
 * something goes wrong"): each StoreError line names the file and says what to do.
 */
import { StoreError, reasonOf } from '../errors.js';

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

function isCorrupt(code: string): boolean {
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

function isLocked(code: string): boolean {
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/**
 * An error of one statement that left the rest of its transaction intact (SQLite undoes only
 * that statement): the operation fails alone, the batch commits.
 */
export function isStatementError(err: unknown): boolean {
  const code = codeOf(err);
  return (
    code.startsWith('SQLITE_CONSTRAINT') ||
    code === 'SQLITE_MISMATCH' ||
    code === 'SQLITE_TOOBIG' ||
    code === 'SQLITE_RANGE' ||
    err instanceof TypeError ||
    err instanceof RangeError
  );
}

const CORRUPT_HINT =
  'restore it from a backup, or move it away to start with an empty store (docs/storage.md)';
const LOCKED_HINT =
  'another process holds it (is another gateway running on it?): stop that process, or set storage.path to another file';

/** Why the store at `path` could not open. */
export function openFailure(err: unknown, path: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const reason = reasonOf(err);
  if (isCorrupt(code))
    return new StoreError('corrupt', path, `the database ${path} is damaged (${reason}): ${CORRUPT_HINT}`, {
      cause: err,
    });
  if (isLocked(code))
    return new StoreError('locked', path, `the database ${path} is locked: ${LOCKED_HINT}`, { cause: err });
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_READONLY'))
    return new StoreError(
      'cannot-open',
      path,
      `cannot open the database ${path} (${reason}): check that the gateway may write the file and its folder, or set storage.path`,
      { cause: err },
    );
  if (code === 'SQLITE_FULL')
    return new StoreError(
      'write-failed',
      path,
      `cannot open the database ${path}: the disk is full; free some space`,
      {
        cause: err,
      },
    );
  return new StoreError('failed', path, `cannot open the database ${path}: ${reason}`, { cause: err });
}

/** Why a transaction of `count` operations on `path` was not committed. */
export function commitFailure(err: unknown, path: string, count: number): StoreError {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const reason = reasonOf(err);
  const what = `the store ${path} did not commit ${count} operation${count === 1 ? '' : 's'}`;
  if (code === 'SQLITE_FULL')
    return new StoreError(
      'write-failed',
      path,
      `${what}: the disk or the database is full; free some space`,
      {
        cause: err,
      },
    );
  if (isCorrupt(code))
    return new StoreError('corrupt', path, `${what}: the database is damaged (${reason}); ${CORRUPT_HINT}`, {
      cause: err,
    });
  if (isLocked(code))
    return new StoreError('locked', path, `${what}: the database is locked; ${LOCKED_HINT}`, { cause: err });
  return new StoreError('write-failed', path, `${what}: ${reason}`, { cause: err });
}
