/**
 * CPU time per parse for the two codec rows of issue 18 (Message/CPIM parse of the chat line,
 * PIDF parse), each beside its baseline in the same process: alternating rounds of a bounded
 * count, `process.cpuUsage` (user + system) per round, median and best of the rounds.
 *   npx tsx bench/codec-cpu.ts [rounds=7] [size=small]
 */
import { parseCpim } from '../src/codec/cpim/index.js';
import { parsePidf } from '../src/codec/pidf/index.js';
import { cpimOf, pidfOf, saxesAlone, splitLines } from './codecs.js';

let sink: unknown = null;

/** CPU µs per call of `fn` over `count` calls. */
function cpuPerCall(fn: () => unknown, count: number): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < count; i++) sink = fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / count;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function compare(
  label: string,
  measured: () => unknown,
  baseline: () => unknown,
  count: number,
  rounds: number,
): void {
  cpuPerCall(measured, Math.ceil(count / 4));
  cpuPerCall(baseline, Math.ceil(count / 4));
  const m: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    m.push(cpuPerCall(measured, count));
    b.push(cpuPerCall(baseline, count));
  }
  const f = (x: number): string => `${x.toFixed(3)} µs`;
  console.log(
    `${label}: median ${f(median(m))} (best ${f(Math.min(...m))}) | baseline median ${f(median(b))} ` +
      `(best ${f(Math.min(...b))}) | rate ${(1 / median(m)).toFixed(2)}M/s | baseline÷measured ${(median(b) / median(m)).toFixed(3)}`,
  );
}

const rounds = Number(process.argv[2] ?? 7);
const size = (process.argv[3] ?? 'small') as 'small' | 'medium' | 'large';
const cpim = cpimOf(size);
const pidf = pidfOf(size);
const count = size === 'large' ? 200 : 100_000;
compare(
  `cpim parse ${size} (${cpim.length} B)`,
  () => parseCpim(cpim),
  () => splitLines(cpim),
  count,
  rounds,
);
compare(
  `pidf parse ${size} (${pidf.length} B)`,
  () => parsePidf(pidf),
  () => saxesAlone(pidf),
  Math.ceil(count / 5),
  rounds,
);
void sink;
