import { describe, expect, it } from 'vitest';
import { redactUrl, splitPassword } from './location.js';

describe('redactUrl', () => {
  it('drops the password and keeps user, host, port and database', () => {
    expect(redactUrl('postgres://gw:s3cret@db.example:5433/cpim')).toBe('postgres://gw@db.example:5433/cpim');
  });

  it('masks a password given as a query parameter', () => {
    const out = redactUrl('postgresql://gw@127.0.0.1/cpim?password=s3cret&sslmode=require');
    expect(out).not.toContain('s3cret');
    expect(out).toContain('sslmode=require');
  });

  it('never echoes a string it cannot parse', () => {
    expect(redactUrl('gw:s3cret@nowhere')).not.toContain('s3cret');
  });
});

describe('splitPassword', () => {
  it('takes the decoded password out of the URL', () => {
    expect(splitPassword('postgres://gw:p%40ss@127.0.0.1:5432/cpim')).toEqual({
      url: 'postgres://gw@127.0.0.1:5432/cpim',
      password: 'p@ss',
    });
  });

  it('leaves a URL without a password as it is', () => {
    expect(splitPassword('postgres://postgres@127.0.0.1:5432/t1').password).toBeUndefined();
  });
});
