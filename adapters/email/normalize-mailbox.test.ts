import { describe, expect, it } from 'vitest';
import { mailboxKey, normalizeDomain, normalizeMailbox } from './normalize-mailbox.js';

describe('normalizeDomain', () => {
  it.each([
    ['gw.test', 'gw.test'],
    ['GW.Test', 'gw.test'],
    ['gw.test.', 'gw.test'],
    ['bücher.test', 'xn--bcher-kva.test'],
    ['BÜCHER.test.', 'xn--bcher-kva.test'],
    ['xn--bcher-kva.test', 'xn--bcher-kva.test'],
    ['ｇｗ.test', 'gw.test'],
    ['gw.test\u3002', 'gw.test'],
  ])('%s is %s', (input, out) => {
    expect(normalizeDomain(input)).toBe(out);
  });

  it.each([
    '',
    '.',
    'gw..test',
    'gw.test..',
    '[127.0.0.1]',
    'a b.test',
    'xn--zz.test',
    'gw/test',
    'gw.test?x',
    'gw.test#x',
    'gw%2etest',
    'gw.test:25',
    'gw.test\t',
  ])('%j is no domain', (input) => {
    expect(normalizeDomain(input)).toBeNull();
  });
});

describe('normalizeMailbox', () => {
  it('keeps the local part as written and compares it case-insensitively', () => {
    const m = normalizeMailbox('Alice@GW.test.');
    expect(m).toEqual({ local: 'Alice', domain: 'gw.test', address: 'Alice@gw.test', key: 'alice@gw.test' });
    expect(mailboxKey('ALICE@gw.test')).toBe(mailboxKey('alice@GW.TEST'));
  });

  it('turns an IDN domain into its A-label form, so both spellings are one mailbox', () => {
    expect(mailboxKey('alice@bücher.test')).toBe('alice@xn--bcher-kva.test');
    expect(mailboxKey('alice@xn--bcher-kva.test')).toBe('alice@xn--bcher-kva.test');
    expect(mailboxKey('alice@ｇｗ.test')).toBe('alice@gw.test');
  });

  it('unquotes a quoted local part', () => {
    expect(normalizeMailbox('"al ice"@gw.test')?.local).toBe('al ice');
    expect(mailboxKey('"Alice"@gw.test')).toBe('alice@gw.test');
    expect(mailboxKey('"a\\"b"@gw.test')).toBe('a"b@gw.test');
  });

  it.each([
    '',
    'alice',
    '@gw.test',
    'alice@',
    'alice@gw..test',
    'alice@[127.0.0.1]',
    'al ice@gw.test',
    'alice@gw.test@evil.example',
    '"alice@gw.test"@evil.example',
    'alice＠gw.test@evil.example',
    'a<b@gw.test',
    '""@gw.test',
    'a\u0001b@gw.test',
  ])('%j is no valid address', (input) => {
    expect(normalizeMailbox(input)).toBeNull();
  });
});
