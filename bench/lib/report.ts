/**
 * What a benchmark reports: entries of figures with units, each beside the baseline it is
 * measured against, and the machine they came from. bench/run.ts prints them and writes them to
 * bench/results/latest.json.
 */
import { cpus, loadavg } from 'node:os';
import { formatFigure, ratio, renderTable, type LatencySummary } from './stats.js';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Latency and memory: smaller is better, so the ratio is baseline ÷ measured. */
  readonly lowerIsBetter?: boolean;
}

/** One paced run's latency percentiles and the rate it achieved, in `rateUnit`. */
export function pacedFigures(
  p: { readonly latency: LatencySummary; readonly achieved: number },
  rateUnit: string,
): Figure[] {
  return [
    { name: 'p50', value: p.latency.p50, unit: 'µs', lowerIsBetter: true },
    { name: 'p99', value: p.latency.p99, unit: 'µs', lowerIsBetter: true },
    { name: 'p99.9', value: p.latency.p999, unit: 'µs', lowerIsBetter: true },
    { name: 'achieved', value: p.achieved, unit: rateUnit },
  ];
}

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started: above the core count, figures are disturbed. */
  readonly loadAverage: number;
}

/** One row of results: what was measured, against what, and how they compare. */
export interface Entry {
  readonly name: string;
  readonly figures: readonly Figure[];
  /** What the baseline is (a sentence), and its figures under the same names. */
  readonly baseline: { readonly name: string; readonly figures: readonly Figure[] } | null;
  /** The headline ratio (first figure ÷ the baseline's figure of the same name); 1 = as fast. */
  readonly ratio: number | null;
  /** A target for the ratio or a figure, when the design sets one (docs/architecture.md part 11). */
  readonly target?: string;
  readonly notes?: string;
  readonly machine?: Machine;
}

export interface BenchContext {
  readonly quick: boolean;
  /** Progress lines (stderr), so stdout stays the tables. */
  progress(message: string): void;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Returns its entries; `pending` entries explain what is missing instead of failing. */
  run(ctx: BenchContext): Promise<readonly Entry[]>;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** The headline ratio of an entry: its first figure against the baseline's figure of that name. */
export function headlineRatio(
  figures: readonly Figure[],
  baseline: readonly Figure[] | undefined,
): number | null {
  const f = figures[0];
  if (f === undefined || baseline === undefined) return null;
  const b = baseline.find((x) => x.name === f.name);
  if (b === undefined) return null;
  const r = ratio(f.value, b.value, f.lowerIsBetter === true);
  return Number.isFinite(r) ? r : null;
}

/** An entry with the ratio filled in from its first figure. */
export function entry(
  name: string,
  figures: readonly Figure[],
  baseline: Entry['baseline'],
  extra: { target?: string; notes?: string } = {},
): Entry {
  return { name, figures, baseline, ratio: headlineRatio(figures, baseline?.figures), ...extra };
}

/** A benchmark that could not run yet (a part of the gateway it needs is missing). */
export function pending(name: string, why: string): Entry {
  return { name, figures: [], baseline: null, ratio: null, notes: `pending: ${why}` };
}

function figuresText(figures: readonly Figure[]): string {
  return figures.map((f) => `${f.name} ${formatFigure(f.value, f.unit)}`).join(', ');
}

/** The table a benchmark prints: one row per entry. */
export function entriesTable(entries: readonly Entry[]): string {
  const rows = entries.map((e) => [
    e.name,
    e.figures.length === 0 ? (e.notes ?? '') : figuresText(e.figures),
    e.baseline === null ? '' : figuresText(e.baseline.figures),
    e.ratio === null ? '' : e.ratio.toFixed(3),
    e.target ?? '',
  ]);
  return renderTable(['case', 'measured', 'baseline', 'ratio', 'target'], rows);
}
