import { describe, expect, it } from 'vitest';
import { isMessageId } from './extensions.js';
import { newMessageId } from './message-id.js';

describe('newMessageId', () => {
  it('is 25 characters the Message-ID header allows', () => {
    const id = newMessageId();
    expect(id).toHaveLength(25);
    expect(isMessageId(id)).toBe(true);
  });

  it('sorts by time (byte order, as the store indexes it), across digit-count changes of base 36', () => {
    const times = [
      0,
      35,
      36,
      1_295,
      1_296,
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1) + 1,
      Date.UTC(2100, 0, 1),
    ];
    const ids = times.map((t) => newMessageId(t));
    const sorted = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(sorted).toEqual(ids);
  });

  it('ids do not repeat across many pool refills, in the same millisecond', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newMessageId(1_000));
    expect(seen.size).toBe(5000);
  });
});
