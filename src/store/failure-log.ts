/**
 * What a backend's batcher does with a commit that failed (issue 15: "nothing is dropped
 * silently"; docs/storage.md, "When something goes wrong"): the backend says what the error means
 * (`classify`: a full disk, a lock, a server gone), the callers of the batch answer `resources`,
 * and the operator reads why in one warn line `store write failed`. A full disk or a server that
 * is down fails every batch: one line per `limits.warnIntervalMs`, with the count held back.
 */
import type { Logger } from '../log.js';
import { LogThrottle } from '../policy/index.js';
import { StoreError } from './errors.js';

export function loggedFailure(
  location: string,
  classify: (err: unknown, location: string, count: number) => StoreError,
  log: Logger | undefined,
  warnIntervalMs: number,
): (err: unknown, count: number) => StoreError {
  const warnings = new LogThrottle(warnIntervalMs);
  return (err, count) => {
    const error = classify(err, location, count);
    const suppressed = warnings.allow();
    if (suppressed >= 0)
      log?.warn(
        { store: location, operations: count, reason: error.message, suppressed },
        'store write failed',
      );
    return error;
  };
}

/** The StoreError of an operation submitted after the store was closed. */
export function closedStore(location: string): StoreError {
  return new StoreError('closed', location, `the store ${location} is closed`);
}
