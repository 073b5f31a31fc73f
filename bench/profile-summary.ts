/**
 * Sums a V8 .cpuprofile (from `node --cpu-prof`, e.g. BENCH_CPU_PROF=dir npm run bench -- --only
 * relay) per function: self time and share, the top N, and the same folded per file.
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=40]
 */
import { readFileSync } from 'node:fs';
import { renderTable } from './lib/stats.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Self time (µs) per function key and per file, from a parsed profile. */
export function selfTimes(p: Profile): {
  byFunction: Map<string, number>;
  byFile: Map<string, number>;
  total: number;
} {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    const n = nodes.get(p.samples[i]!);
    if (n === undefined) continue;
    const cf = n.callFrame;
    const file =
      cf.url === '' ? '(native)' : cf.url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
    const key = `${cf.functionName || '(anonymous)'} ${file}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    byFile.set(file, (byFile.get(file) ?? 0) + dt);
    total += dt;
  }
  return { byFunction, byFile, total };
}

function top(m: Map<string, number>, total: number, n: number): string[][] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [k, (v / 1000).toFixed(1), ((100 * v) / total).toFixed(1) + '%']);
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
if (isMain) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  const n = Number(process.argv[3] ?? 40);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const s = selfTimes(p);
  console.log(`${file}: ${(s.total / 1000).toFixed(0)} ms sampled\n`);
  console.log(renderTable(['function (self time)', 'ms', 'share'], top(s.byFunction, s.total, n)));
  console.log('\n' + renderTable(['file (self time)', 'ms', 'share'], top(s.byFile, s.total, 25)));
}
