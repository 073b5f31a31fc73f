/** Issue 18: the session's pending table answers exactly as a Map by id would. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterOf, PendingTable, type PendingEntry } from './session-pending.js';

describe('PendingTable', () => {
  it('finds, refuses and drains as a Map keyed by the base-36 id', () => {
    // Each step: send a command, or answer one (the oldest, the newest, or an unknown id).
    const step = fc.oneof(
      fc.constant<'send'>('send'),
      fc.constantFrom<'oldest' | 'newest' | 'bogus'>('oldest', 'newest', 'bogus'),
      fc.nat(20000).map((k) => ({ skip: k })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const table = new PendingTable<number>();
        const model = new Map<string, number>();
        const found: PendingEntry<number> = { method: '', context: undefined, internal: false };
        let counter = 0;
        for (const s of steps) {
          if (s === 'send' || typeof s === 'object') {
            // A skip leaves many commands unanswered at once (the side Map beyond the largest array).
            const times = typeof s === 'object' ? (s.skip % 50) * 200 + 1 : 1;
            for (let t = 0; t < times; t++) {
              const n = ++counter;
              table.add(n, 'send', n, false);
              model.set(n.toString(36), n);
            }
          } else {
            const keys = [...model.keys()];
            const id =
              s === 'bogus'
                ? '0' + (counter + 1).toString(36)
                : s === 'oldest'
                  ? keys[0]
                  : keys[keys.length - 1];
            if (id === undefined) continue;
            const ok = table.take(id, found);
            expect(ok).toBe(model.has(id));
            if (ok) expect(found.context).toBe(model.get(id));
            model.delete(id);
          }
          expect(table.size).toBe(model.size);
        }
        expect(table.drain().map(([n]) => n.toString(36))).toEqual([...model.keys()]);
        expect(table.size).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('reads only ids it could have made', () => {
    expect(counterOf('1')).toBe(1);
    expect(counterOf('z')).toBe(35);
    expect(counterOf('10')).toBe(36);
    for (const bad of ['', '01', 'A', 'a-', ' 1', '12345678901']) expect(counterOf(bad)).toBe(-1);
  });
});
