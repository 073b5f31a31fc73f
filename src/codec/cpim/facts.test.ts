import { describe, expect, it } from 'vitest';
import { buildCpim, parseCpim, withCpimFacts, type CpimPayload } from './index.js';

describe('CPIM facts carried on the payload (docs/architecture.md part 11)', () => {
  const bytes = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: 'im:alice@a.example' },
    to: [{ uri: 'im:bob@b.example' }],
    dateTime: new Date('2026-01-02T03:04:05Z'),
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: Buffer.from('hi'),
  });
  const facts = {
    from: 'im:alice@a.example',
    dateTime: '2026-01-02T03:04:05Z',
    contentType: 'text/plain; charset=UTF-8',
    text: 'hi',
  };

  it('travels with the very payload object and not with a copy of its octets', () => {
    const payload = withCpimFacts(bytes, facts);
    expect(payload).toBe(bytes);
    expect(payload.cpimFacts).toEqual(facts);
    expect((Buffer.from(payload) as CpimPayload).cpimFacts).toBeUndefined();
    expect((payload.slice() as CpimPayload).cpimFacts).toBeUndefined();
  });

  it('leaves the octets as they were: equal to a copy, same parse', () => {
    const payload = withCpimFacts(Buffer.from(bytes), facts);
    expect(Object.keys(payload)).toEqual(Object.keys(Buffer.from(bytes)));
    expect(payload).toEqual(Buffer.from(bytes));
    const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
    expect(r.result).not.toBe('reject');
    expect(r.message?.semantics.from?.uri).toBe(facts.from);
    expect(r.message?.semantics.datetime).toBe(facts.dateTime);
  });
});
