import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('counts each duration in the first bucket whose bound is not below it, cumulatively', () => {
    const h = new LatencyHistogram([0.001, 0.01, 0.1]);
    for (const ms of [0.2, 1, 1.5, 10, 50, 100, 250]) h.observe(ms);
    expect(h.cumulative()).toEqual([
      { le: 0.001, count: 2 },
      { le: 0.01, count: 4 },
      { le: 0.1, count: 6 },
      { le: Infinity, count: 7 },
    ]);
    expect(h.count).toBe(7);
    expect(h.sumSeconds).toBeCloseTo(0.4127, 6);
  });

  it('starts empty', () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.cumulative().every((b) => b.count === 0)).toBe(true);
    expect(h.cumulative().at(-1)!.le).toBe(Infinity);
  });
});
