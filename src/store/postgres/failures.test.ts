import { describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import { commitFailure, isStatementError, openFailure } from './failures.js';

const AT = 'postgres://gw@db.example:5432/cpim';
/** An error as pg makes them: the server's SQLSTATE in `code`, its words in `message`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('PostgreSQL failures in plain words', () => {
  it('says what to do for each way a start fails, naming the server', () => {
    const cases: [Error, RegExp][] = [
      [
        pgError('28P01', 'password authentication failed for user "gw"'),
        /refused the login.*user and password/,
      ],
      [pgError('3D000', 'database "cpim" does not exist'), /database does not exist.*createdb/],
      [pgError('42501', 'permission denied for schema public'), /may not create the store's tables/],
      [pgError('53300', 'sorry, too many clients already'), /max_connections/],
      [pgError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432'), /runs and accepts connections/],
    ];
    for (const [err, says] of cases) {
      const e = openFailure(err, AT);
      expect(e).toBeInstanceOf(StoreError);
      expect(e.failure).toBe('cannot-open');
      expect(e.message).toContain(AT);
      expect(e.message).toMatch(says);
    }
  });

  it('tells a full disk, a read-only server and a lost connection apart when a commit fails', () => {
    expect(commitFailure(pgError('53100', 'could not extend file'), AT, 3).message).toMatch(
      /did not commit 3 operations: the server's disk is full/,
    );
    expect(
      commitFailure(pgError('25006', 'cannot execute INSERT in a read-only transaction'), AT, 1).message,
    ).toMatch(/did not commit 1 operation: the server is read-only/);
    expect(commitFailure(new Error('Connection terminated unexpectedly'), AT, 2).message).toMatch(
      /unreachable/,
    );
    expect(commitFailure(new Error('x'), AT, 2).failure).toBe('write-failed');
  });

  it("counts only an operation's own data as a statement error (the batch is retried around it)", () => {
    expect(isStatementError(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))).toBe(true);
    expect(isStatementError(pgError('23505', 'duplicate key'))).toBe(true);
    expect(isStatementError(pgError('53100', 'disk full'))).toBe(false);
    expect(isStatementError(pgError('57P01', 'terminating connection'))).toBe(false);
  });
});
