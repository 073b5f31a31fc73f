import { describe, expect, it } from 'vitest';
import { CodecError, HubError } from '../errors.js';
import { errorHeaders, hubErrorOf, relayedErrorHeaders, wireError } from './replies.js';

describe('the reply table', () => {
  it('maps error classes to wire errors', () => {
    expect(wireError(new HubError('no-listeners', 'nobody'), 'send')).toEqual({
      type: 'no-listeners',
      description: 'nobody',
    });
    expect(
      wireError(new CodecError('bad thing', 'RFC 3862 2.2', { offset: 1, line: 1, column: 2 }), 'send'),
    ).toEqual({
      type: 'malformed',
      description: 'bad thing',
    });
    const timeout = Object.assign(new Error('t'), { name: 'TimeoutError' });
    expect(wireError(timeout, 'send').type).toBe('communications');
    expect(wireError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'send').type).toBe(
      'communications',
    );
    expect(wireError(new Error('secret internals'), 'send')).toEqual({
      type: 'resources',
      description: 'internal error',
    });
    expect(wireError('a string', 'send').type).toBe('resources');
  });

  it('replaces errors the method cannot carry (part 3 row 32)', () => {
    expect(wireError(new HubError('quota', 'q'), 'fetch-notify')).toEqual({
      type: 'resources',
      description: 'quota: q',
    });
    expect(wireError(new HubError('target-not-found', 't'), 'listen').type).toBe('communications');
    expect(wireError(new HubError('loop', 'l'), 'fetch').type).toBe('communications');
  });

  it('keeps Error-Description on one line and short', () => {
    const w = wireError(new HubError('malformed', 'a\r\nb\0c' + 'x'.repeat(500)), 'send');
    expect(w.description).toMatch(/^a {2}b cx+…$/);
    expect(Array.from(w.description)).toHaveLength(200);
  });

  it('never adds Error-Originator to errors we originate (part 3 row 31)', () => {
    expect(errorHeaders(new HubError('loop', 'looped'), 'send')).toEqual([
      ['Error-Type', 'loop'],
      ['Error-Description', 'looped'],
    ]);
    expect(errorHeaders(new HubError('sasl-challenge', ''), 'auth')).toEqual([
      ['Error-Type', 'sasl-challenge'],
    ]);
  });

  it('adds Error-Originator when relaying, keeps one that is there (part 3 rows 30-31)', () => {
    const hop: [string, string][] = [
      ['Error-Type', 'no-listeners'],
      ['X-Other', 'kept'],
    ];
    expect(relayedErrorHeaders(hop, 'domain.com')).toEqual([...hop, ['Error-Originator', 'domain.com']]);
    const marked: [string, string][] = [
      ['Error-Originator', 'far.example'],
      ['Error-Type', 'loop'],
    ];
    expect(relayedErrorHeaders(marked, 'domain.com')).toEqual(marked);
  });

  it('reads error responses back as HubError', () => {
    const r = (headers: [string, string][]) =>
      ({ kind: 'response', id: '1', status: 'error', method: 'send', headers, payload: undefined }) as const;
    expect(
      hubErrorOf(
        r([
          ['Error-Type', 'loop'],
          ['Error-Description', 'again'],
        ]),
      ),
    ).toMatchObject({ type: 'loop', message: 'again' });
    expect(hubErrorOf(r([['Error-Type', 'auth']]))).toMatchObject({
      type: 'communications',
      message: 'auth',
    });
    expect(hubErrorOf(r([]))).toMatchObject({ type: 'communications', message: 'no Error-Type' });
  });
});
