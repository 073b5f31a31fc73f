import { describe, expect, it } from 'vitest';
import { CodecError, HubError } from '../errors.js';
import { answerFromError, errorAnswer, errorTypeOf, okAnswer, passOnError } from './index.js';

describe('answers (draft §10 response, §12 errors)', () => {
  it('ok answers carry a payload only when given one', () => {
    expect(okAnswer()).toEqual({ status: 'ok', headers: [] });
    expect('payload' in okAnswer()).toBe(false);
    const p = Buffer.from('x');
    expect(okAnswer([['Unreliable', 'd.example']], p).payload).toBe(p);
  });

  it('errors this gateway originates have Error-Type, Error-Description when there is one, no Error-Originator', () => {
    expect(errorAnswer('loop').headers).toEqual([['Error-Type', 'loop']]);
    expect(errorAnswer('quota', 'too many').headers).toEqual([
      ['Error-Type', 'quota'],
      ['Error-Description', 'too many'],
    ]);
    expect(errorTypeOf(errorAnswer('loop'))).toBe('loop');
    expect(errorTypeOf(okAnswer())).toBeUndefined();
  });

  it('maps failures: HubError as it is, CodecError as malformed, anything else as resources without its message', () => {
    expect(answerFromError(new HubError('no-listeners', 'nobody')).headers).toEqual([
      ['Error-Type', 'no-listeners'],
      ['Error-Description', 'nobody'],
    ]);
    expect(errorTypeOf(answerFromError(new CodecError('bad', 'RFC 3862 2.2')))).toBe('malformed');
    expect(answerFromError(new Error('secret')).headers).toEqual([
      ['Error-Type', 'resources'],
      ['Error-Description', 'internal error'],
    ]);
  });

  it('the first relay adds Error-Originator, later ones keep it; a missing Error-Type is communications (part 3 rows 30-31)', () => {
    const hop = {
      status: 'error' as const,
      headers: [['Error-Type', 'loop'] as const, ['X-Other', 'kept'] as const],
    };
    expect(passOnError(hop, 'd.example').headers).toEqual([
      ...hop.headers,
      ['Error-Originator', 'd.example'],
    ]);
    const marked = passOnError(hop, 'd.example');
    expect(passOnError(marked, 'e.example')).toBe(marked);
    expect(passOnError({ status: 'error', headers: [] }, 'd.example').headers).toEqual([
      ['Error-Type', 'communications'],
      ['Error-Originator', 'd.example'],
    ]);
  });
});
