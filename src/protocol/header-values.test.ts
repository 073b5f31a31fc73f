import { describe, expect, it } from 'vitest';
import {
  checkHeaderValue,
  isIdPattern,
  isUrlValue,
  parseMapping,
  parseOrigin,
  parseSubscription,
  parseVisited,
} from './index.js';

describe('url-hdr (draft §11.1)', () => {
  it.each([
    'im:joe@example.net',
    'presence:joe@example.net',
    'im:"Jane Smith"@domain.com',
    'im:"a\\""@example.com',
    'mailto:x@y',
    'http://example.com/a?b',
  ])('accepts %s', (v) => expect(isUrlValue(v)).toBe(true));
  it.each(['im:fred @example.com', 'im:', ':x', 'im:a\tb@c', 'im:"open@x', 'im:a@b\x00', '', 'no-at-sign'])(
    'refuses %j',
    (v) => expect(isUrlValue(v)).toBe(false),
  );
  it('accepts scheme-less ids (part 4 row 8)', () => {
    expect(isUrlValue('joe@example.net')).toBe(true);
    expect(isUrlValue('"J S"@example.net')).toBe(true);
    expect(isUrlValue('joe@-bad')).toBe(false);
  });
});

describe('origin-hdr (draft §11.2)', () => {
  it('tells domains from URLs by the colon', () => {
    expect(parseOrigin('domain.com')).toEqual({ kind: 'server', domain: 'domain.com' });
    expect(parseOrigin('im:fred@domain.com')).toEqual({ kind: 'client', url: 'im:fred@domain.com' });
    expect(parseOrigin('-bad.com')).toBeNull();
    expect(parseOrigin('a b')).toBeNull();
  });
});

describe('idpattern-hdr (draft §11.3)', () => {
  it.each([
    '*',
    'presence:*',
    'im:*',
    'presence:*@example.com',
    'im:*@*.example.com',
    'im:joe@example.com',
    'im:"a b"@x.org',
    'mailto:*',
    'http://x/y',
    '*@example.com',
  ])('accepts %s', (v) => expect(isIdPattern(v)).toBe(true));
  it.each(['**', 'im:*@', 'im:*@*.', 'im:*.example.com', 'presence:*@*.*.com', 'x:', 'im:a b@c'])(
    'refuses %j',
    (v) => expect(isIdPattern(v)).toBe(false),
  );
});

describe('Mapping, Subscription, Visited (draft §11.5, §11.7, §11.8)', () => {
  it('Mapping is a positive integer without leading zero', () => {
    expect(['1', '42', '0', '01', '-1', '1.5', ''].map(parseMapping)).toEqual([
      1,
      42,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
  it('Subscription is connection-id "/" url, whitespace allowed around "/"', () => {
    expect(parseSubscription('/presence:fred@domain.com')).toEqual({
      connectionId: '',
      url: 'presence:fred@domain.com',
    });
    expect(parseSubscription('A3x / presence:fred@domain.com')).toEqual({
      connectionId: 'A3x',
      url: 'presence:fred@domain.com',
    });
    expect(parseSubscription('1/fred@domain.com')).toEqual({ connectionId: '1', url: 'fred@domain.com' });
    expect(parseSubscription('a-b/presence:x@y')).toBeNull();
    expect(parseSubscription('presence:x@y')).toBeNull();
  });
  it('Visited is whitespace-separated domains (part 4 row 16)', () => {
    expect(parseVisited('')).toEqual([]);
    expect(parseVisited('a.example  b.example\tc')).toEqual(['a.example', 'b.example', 'c']);
    expect(parseVisited('a.example,b.example')).toBeNull();
  });
});

describe('checkHeaderValue', () => {
  it('checks known headers, passes unknown ones', () => {
    expect(checkHeaderValue('Mapping', '0')).toBe(false);
    expect(checkHeaderValue('Mechanism', 'SCRAM-SHA-256')).toBe(true);
    expect(checkHeaderValue('Mechanism', 'A-MECHANISM-NAME-TOO-LONG')).toBe(false);
    expect(checkHeaderValue('Content-Type', 'text/plain; charset=UTF-8')).toBe(true);
    expect(checkHeaderValue('Content-Type', 'text')).toBe(false);
    expect(checkHeaderValue('Error-Type', 'no listeners')).toBe(false);
    expect(checkHeaderValue('Abort', 'anything')).toBe(true);
    expect(checkHeaderValue('X-Whatever', ' ')).toBe(true);
    expect(checkHeaderValue('constructor', 'x')).toBe(true);
    expect(checkHeaderValue('__proto__', 'x')).toBe(true);
  });
});
