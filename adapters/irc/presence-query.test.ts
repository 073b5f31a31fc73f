// `!presence ADDRESS` from IRC users (docs/adapters/irc.md "Presence"): the command and the NOTICE text.
import { describe, expect, it } from 'vitest';
import { buildPidf } from '../../src/index.js';
import { describePresence, presenceQuery } from './presence-query.js';

const enc = (s: string) => new TextEncoder().encode(s);
const doc = (basic: 'open' | 'closed', note?: string) =>
  enc(
    buildPidf({
      entity: 'pres:a@gw.test',
      tuples: [{ id: 't', basic, notes: note ? [{ lang: null, text: note }] : [] }],
    }),
  );

describe('presence queries from IRC', () => {
  it('reads the command: scheme-less, im: and pres: addresses name one presentity', () => {
    expect(presenceQuery('!presence alice@gw.test')).toBe('pres:alice@gw.test');
    expect(presenceQuery('  !PRESENCE im:alice@gw.test ')).toBe('pres:alice@gw.test');
    expect(presenceQuery('!presence pres:alice@gw.test')).toBe('pres:alice@gw.test');
    expect(presenceQuery('!presence')).toBe('');
    expect(presenceQuery('!presence not an address')).toBeNull();
    expect(presenceQuery('!presence <bad>')).toBe('');
    expect(presenceQuery('alice@gw.test: hi')).toBeNull();
  });

  it('says online, offline (with the first note) or unknown', () => {
    const ok = (payload: Uint8Array, type = 'application/pidf+xml') => ({
      status: 'ok' as const,
      headers: [['Content-Type', type] as const],
      payload,
    });
    expect(describePresence('pres:a@gw.test', ok(doc('open')))).toBe('pres:a@gw.test is online');
    expect(describePresence('pres:a@gw.test', ok(doc('closed', 'gone home')))).toBe(
      'pres:a@gw.test is offline (gone home)',
    );
    expect(
      describePresence('pres:a@gw.test', ok(enc('contact = "im:a@gw.test"'), 'application/presence')),
    ).toBe('pres:a@gw.test is unknown');
    expect(describePresence('pres:a@gw.test', ok(enc('<not pidf'), 'application/pidf+xml'))).toBe(
      'pres:a@gw.test is unknown',
    );
    expect(
      describePresence('pres:a@gw.test', { status: 'error', headers: [['Error-Type', 'target-not-found']] }),
    ).toBe('No presence for pres:a@gw.test: target-not-found');
  });
});
