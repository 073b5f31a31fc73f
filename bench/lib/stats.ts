/**
 * Pure helpers of the benchmark harness: percentiles, rates, ratios, number formatting and the
 * plain-text tables every benchmark prints. No I/O, no timers: test/bench-harness.test.ts checks
 * them.
 */

/**
 * The p-th percentile (0..100) of `sorted` (ascending) by the nearest-rank method: the smallest
 * value with at least p % of the samples at or below it. NaN for no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  // The epsilon keeps 99.9 % of 1000 at rank 999 despite binary floating point.
  const rank = Math.max(1, Math.ceil((p / 100) * n - 1e-9));
  return sorted[Math.min(n, rank) - 1]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** Sorts a copy of `samples` (any unit) and summarises it. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    min: n === 0 ? NaN : sorted[0]!,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: n === 0 ? NaN : sorted[n - 1]!,
    mean: n === 0 ? NaN : sum / n,
  };
}

/** Operations per second from a count and an elapsed time in nanoseconds. */
export function perSecond(count: number, elapsedNs: number | bigint): number {
  const ns = Number(elapsedNs);
  return ns <= 0 ? NaN : (count * 1e9) / ns;
}

/** Decimal megabytes per second (1 MB = 10^6 octets). */
export function megabytesPerSecond(bytes: number, elapsedNs: number | bigint): number {
  return perSecond(bytes, elapsedNs) / 1e6;
}

/**
 * measured ÷ baseline, so that 1 means "as fast as the baseline". For figures where lower is
 * better (latency, memory) pass `lowerIsBetter` and the ratio is baseline ÷ measured instead.
 * NaN when either side is missing or zero.
 */
export function ratio(measured: number, baseline: number, lowerIsBetter = false): number {
  if (!Number.isFinite(measured) || !Number.isFinite(baseline) || measured <= 0 || baseline <= 0) return NaN;
  return lowerIsBetter ? baseline / measured : measured / baseline;
}

/** A number for people: 3 significant digits, k/M suffixes for large values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs === 0) return '0';
  return value.toPrecision(3);
}

/** A figure with its unit, as printed and as written to results JSON. */
export function formatFigure(value: number, unit: string): string {
  return `${formatNumber(value)} ${unit}`.trim();
}

/** A left-aligned first column and right-aligned others, columns padded to their widest cell. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    widths
      .map((w, c) => {
        const cell = r[c] ?? '';
        return c === 0 ? cell.padEnd(w) : cell.padStart(w);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Parses `--quick`, `--only a,b` and `--list` from argv (after the script name). */
export function parseArgs(argv: readonly string[]): { quick: boolean; only: string[] | null; list: boolean } {
  let quick = false;
  let list = false;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--list') list = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (v === undefined || v === '')
        throw new Error('--only needs a comma-separated list of benchmark names');
      only = v.split(',').map((s) => s.trim());
    } else throw new Error(`unknown option ${a} (known: --quick, --only a,b, --list)`);
  }
  return { quick, only, list };
}
