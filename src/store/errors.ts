/**
 * The store's one error (issue 15, "Failure behaviour"; docs/storage.md): a store that cannot
 * open, or a write that cannot be committed. Its message is one line that names the file or the
 * database and says what to do: `cpim-gateway start` prints it as it is (src/cli/errors.ts), and
 * callers of a write answer `resources` (never `ok` for something not stored).
 */
export type StoreFailure =
  /** The file is not a database, or its pages are damaged. */
  | 'corrupt'
  /** Another process holds a lock the store waited for in vain. */
  | 'locked'
  /** The database was made by a newer gateway (a higher schema version). */
  | 'newer-schema'
  /** The file or its folder cannot be opened or created. */
  | 'cannot-open'
  /** A write was not committed (disk full, read-only file, I/O error, database gone). */
  | 'write-failed'
  /** The store was closed before the operation ran. */
  | 'closed'
  /** Anything else the backend reported. */
  | 'failed';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly failure: StoreFailure,
    /** The file or the database (no password), as `Store.location`. */
    readonly location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The backend's own words for an error, on one line. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}
