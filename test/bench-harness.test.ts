/**
 * The benchmark harness's pure helpers (bench/lib): percentiles, ratios, tables, arguments and
 * the load generator's frame scanning. No timing is checked here: benchmarks are not tests.
 */
import { describe, expect, it } from 'vitest';
import { headlineRatio } from '../bench/lib/report.js';
import { formatNumber, parseArgs, percentile, ratio, renderTable, summarize } from '../bench/lib/stats.js';
import {
  FrameScanner,
  frameEnd,
  FRAME_SIZE,
  payloadSeq,
  payloadStart,
  sendFrames,
} from '../bench/lib/wire.js';

describe('bench harness: statistics', () => {
  it('percentile uses the nearest rank', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(500);
    expect(percentile(sorted, 99)).toBe(990);
    expect(percentile(sorted, 99.9)).toBe(999);
    expect(percentile(sorted, 100)).toBe(1000);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99.9)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarize sorts a copy and reports p50/p99/p99.9', () => {
    const samples = [5, 1, 4, 2, 3];
    const s = summarize(samples);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ count: 5, min: 1, max: 5, p50: 3, p99: 5, p999: 5, mean: 3 });
    expect(summarize([]).count).toBe(0);
  });

  it('ratio is measured ÷ baseline, inverted where lower is better', () => {
    expect(ratio(25, 100)).toBe(0.25);
    expect(ratio(200, 100, true)).toBe(0.5);
    expect(ratio(0, 100)).toBeNaN();
    expect(ratio(10, NaN)).toBeNaN();
    const r = headlineRatio(
      [{ name: 'p50', value: 120, unit: 'µs', lowerIsBetter: true }],
      [{ name: 'p50', value: 60, unit: 'µs' }],
    );
    expect(r).toBe(0.5);
    expect(
      headlineRatio([{ name: 'x', value: 1, unit: '' }], [{ name: 'y', value: 1, unit: '' }]),
    ).toBeNull();
  });

  it('formats numbers and tables for people', () => {
    expect(formatNumber(1_700_000)).toBe('1.70M');
    expect(formatNumber(42_000)).toBe('42.0k');
    expect(formatNumber(512)).toBe('512');
    expect(formatNumber(0.25)).toBe('0.250');
    expect(formatNumber(NaN)).toBe('–');
    expect(renderTable(['a', 'bb'], [['xxx', '1']]).split('\n')).toEqual(['a    bb', '---  --', 'xxx   1']);
  });

  it('parses --quick, --only and --list', () => {
    expect(parseArgs([])).toEqual({ quick: false, only: null, list: false });
    expect(parseArgs(['--quick', '--only', 'codecs,relay'])).toEqual({
      quick: true,
      only: ['codecs', 'relay'],
      list: false,
    });
    expect(parseArgs(['--only=scale']).only).toEqual(['scale']);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option/);
  });
});

describe('bench harness: frame scanning', () => {
  it('makes send frames of the fixed size with the sequence number first in the payload', () => {
    const frames = sendFrames(3, 'im:alice@gw.test', 'im:bob@gw.test', 41);
    expect(frames.length).toBe(3 * FRAME_SIZE);
    expect(frameEnd(frames, 0)).toBe(FRAME_SIZE);
    expect(frames.toString('latin1', 0, 14)).toBe('>00000041 send');
    expect(payloadSeq(frames, payloadStart(frames, FRAME_SIZE))).toBe(42);
  });

  it('finds frame ends across reads, with and without Content-Length', () => {
    const stream = Buffer.concat([
      Buffer.from('=mech PLAIN\r\n<1 ok (send)\r\n\r\n'),
      sendFrames(2, 'im:a@x.test', 'im:b@x.test'),
      Buffer.from('<2 error (send)\r\nError-Type: no-listeners\r\n\r\n'),
    ]);
    for (const cut of [1, 7, 33, 100, stream.length]) {
      const seen: string[] = [];
      const scanner = new FrameScanner((buf, s, e) =>
        seen.push(buf.toString('latin1', s, Math.min(e, s + 6))),
      );
      for (let i = 0; i < stream.length; i += cut) scanner.push(stream.subarray(i, i + cut));
      expect(seen).toEqual(['=mech ', '<1 ok ', '>00000', '>00000', '<2 err']);
    }
    expect(frameEnd(Buffer.from('>1 send\r\nContent-Length: 5\r\n\r\nab'), 0)).toBe(-1);
  });
});
