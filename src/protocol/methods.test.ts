import { describe, expect, it } from 'vitest';
import {
  checkCommand,
  contentType,
  defaultContentType,
  isLegalError,
  legalErrors,
  METHODS,
  methodSpec,
} from './methods.js';

describe('method table', () => {
  it('has the source and target headers of the §12 table', () => {
    const table = Object.fromEntries(
      [...METHODS.values()].filter((m) => m.protocol !== 'common').map((m) => [m.name, [m.source, m.target]]),
    );
    expect(table).toEqual({
      change: ['Presentity', null],
      'change-notify': ['Presentity', null],
      'delete-mapping': ['Presentity', null],
      fetch: ['Watcher', 'Presentity'],
      'fetch-for-update': ['Presentity', null],
      'fetch-notify': [null, null],
      'get-class': ['Presentity', null],
      'insert-mapping': ['Presentity', null],
      'set-class': ['Presentity', null],
      'start-wi': ['Presentity', null],
      subscribe: ['Subscription', 'Presentity'],
      'subscribe-notify': [null, null],
      terminate: ['Presentity', null],
      'terminate-notify': [null, null],
      unsubscribe: ['Subscription', null],
      'unsubscribe-notify': [null, null],
      listen: ['Inbox', null],
      send: ['Sender', 'Inbox'],
    });
  });

  it('knows methods per protocol, case-sensitively', () => {
    expect(methodSpec('send', 'imtp')?.name).toBe('send');
    expect(methodSpec('send', 'pitp')).toBeUndefined();
    expect(methodSpec('fetch', 'imtp')).toBeUndefined();
    expect(methodSpec('auth', 'pitp')?.name).toBe('auth');
    expect(methodSpec('Send', 'imtp')).toBeUndefined();
    expect(methodSpec('constructor', 'imtp')).toBeUndefined();
  });

  it('allows source/target errors only where §12 lists the header (part 3 row 32)', () => {
    expect(isLegalError('send', 'target-not-found')).toBe(true);
    expect(isLegalError('listen', 'target-not-found')).toBe(false);
    expect(isLegalError('fetch-notify', 'quota')).toBe(false);
    expect(isLegalError('change', 'update-race')).toBe(true);
    expect(isLegalError('send', 'update-race')).toBe(false);
    expect(isLegalError('x-unknown', 'malformed')).toBe(true);
    expect(legalErrors(METHODS.get('auth')!)).toEqual([
      'malformed',
      'unknown-method',
      'resources',
      'communications',
      'sasl-challenge',
      'sasl-failure',
    ]);
  });

  it('gives the default content types of §10 (part 3 row 9)', () => {
    expect(defaultContentType('send')).toBe('text/plain; charset=UTF-8');
    expect(defaultContentType('change')).toBe('application/presence');
    expect(defaultContentType('auth')).toBe('application/octet-stream');
    expect(contentType('send', [['Content-Type', 'message/cpim']])).toBe('message/cpim');
  });
});

describe('checkCommand', () => {
  const send = METHODS.get('send')!;
  const ok = {
    headers: [
      ['Sender', 'im:a@b.c'],
      ['Inbox', 'im:d@e.f'],
    ] as [string, string][],
    payload: new Uint8Array(1),
  };
  it('passes a good command and repeated headers (first counts)', () => {
    expect(checkCommand(send, ok)).toBeNull();
    expect(checkCommand(send, { ...ok, headers: [...ok.headers, ['Inbox', 'junk junk']] })).toBe(
      'invalid Inbox value',
    );
    expect(
      checkCommand(send, {
        ...ok,
        headers: [...ok.headers, ['Orig-Inbox', 'im:x@y'], ['Orig-Inbox', 'im:z@y']],
      }),
    ).toBeNull();
  });
  it('finds missing headers, payload rule breaches and bad values', () => {
    expect(checkCommand(send, { ...ok, headers: [['Sender', 'im:a@b.c']] })).toBe(
      'send requires a Inbox header',
    );
    expect(checkCommand(send, { ...ok, payload: undefined })).toBe('send requires a payload');
    expect(
      checkCommand(METHODS.get('listen')!, { headers: [['Inbox', 'im:a@b']], payload: new Uint8Array(0) }),
    ).toBe('listen allows no payload');
    expect(checkCommand(send, { ...ok, headers: [...ok.headers, ['Astrength', 'mighty']] })).toBe(
      'invalid Astrength value',
    );
    expect(
      checkCommand(send, { ...ok, headers: [...ok.headers, ['Mapping', 'ignored: not a send header']] }),
    ).toBeNull();
  });
});

describe('checkCommand remembers accepted values (issue 18)', () => {
  it('gives the same verdicts, in any order, with the accepted values remembered', () => {
    const spec = methodSpec('send', 'imtp')!;
    const payload = new Uint8Array(1);
    const good = ['im:alice@a.test', 'im:bob@b.test', 'carol@c.test', 'im:dave@d.test', 'im:eve@e.test'];
    const bad = ['im:', 'alice', 'im:a b@c.test', ''];
    const verdict = (v: string): string | null =>
      checkCommand(spec, {
        headers: [
          ['Sender', v],
          ['Inbox', 'im:bob@b.test'],
        ],
        payload,
      });
    for (let round = 0; round < 3; round++) {
      for (const v of good) expect(verdict(v)).toBeNull();
      for (const v of bad) expect(verdict(v)).toBe('invalid Sender value');
    }
  });
});
