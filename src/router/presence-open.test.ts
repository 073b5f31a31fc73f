import { describe, expect, it } from 'vitest';
import { buildPidf } from '../codec/pidf/index.js';
import { serializePresenceText } from '../codec/presence-text/index.js';
import { saysOpen } from './presence-open.js';

const enc = (s: string) => new TextEncoder().encode(s);
const pidf = (...basics: ('open' | 'closed')[]) =>
  enc(buildPidf({ entity: 'pres:a@x.example', tuples: basics.map((basic, i) => ({ id: `t${i}`, basic })) }));
const hudson = (...statuses: ('open' | 'closed' | 'deferred')[]) =>
  enc(
    serializePresenceText({
      presentity: 'presence:a@x.example',
      contacts: statuses.map((status, i) => ({ url: `im:a${i}@x.example`, status })),
    }),
  );

describe('saysOpen: is a PI reachable (RFC 3863 4.1.4, Hudson presence 5)', () => {
  it('PIDF: open when any tuple is open, labelled or not', () => {
    expect(saysOpen({ contentType: 'application/pidf+xml', bytes: pidf('closed', 'open') })).toBe(true);
    expect(saysOpen({ contentType: 'application/pidf+xml', bytes: pidf('closed', 'closed') })).toBe(false);
    expect(saysOpen({ bytes: pidf('closed') })).toBe(false);
  });

  it('application/presence: open when any contact is open; deferred is not', () => {
    expect(saysOpen({ bytes: hudson('closed', 'open') })).toBe(true);
    expect(saysOpen({ contentType: 'application/presence', bytes: hudson('closed', 'deferred') })).toBe(
      false,
    );
  });

  it('what it cannot read counts as open (the store is kept)', () => {
    expect(saysOpen({ contentType: 'application/pidf+xml', bytes: enc('<presence') })).toBe(true);
    expect(saysOpen({ contentType: 'text/plain', bytes: enc('closed') })).toBe(true);
  });
});
