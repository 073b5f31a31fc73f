/**
 * `npm run fuzz`: the fuzz layer's long, seeded run (docs/testing.md "Fuzzing"). Runs every
 * `*.fuzz.test.ts` with many runs per property, one seed for all of them (printed first, so any
 * failure can be replayed), and a time limit per property; then prints how many runs each
 * property made. `npm test` runs the same files with the small default (test/support/fuzz.ts).
 *
 *   npm run fuzz                                   200,000 runs or 60 s per property, random seed
 *   FUZZ_SECONDS=20 npm run fuzz                   a shorter time limit
 *   FUZZ_SEED=123 npm run fuzz -- pidf/parse.fuzz  replay one seed on one fuzz file
 *   FUZZ_SEED=123 FUZZ_PATH="4:1:0" npm run fuzz -- pidf/parse.fuzz -t 'deep nesting'
 *                                                  replay one counterexample of one property
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Entry {
  readonly name: string;
  readonly runs: number;
  readonly interrupted: boolean;
  readonly failed: boolean;
  readonly seed: number;
}

const seed = process.env.FUZZ_SEED ?? String((Math.random() * 2 ** 31) | 0);
const runs = process.env.FUZZ_RUNS ?? '200000';
const seconds = process.env.FUZZ_SECONDS ?? '60';
const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
const report = join(dir, 'report.jsonl');
const filters = process.argv.slice(2);
if (filters.some((f) => !f.startsWith('-') && !f.includes('fuzz'))) {
  console.error('fuzz: name fuzz files (e.g. pidf/parse.fuzz); other filters would run unit tests too');
  process.exit(2);
}

console.log(`fuzz: seed ${seed}, up to ${runs} runs or ${seconds} s per property`);
console.log(
  `fuzz: replay with FUZZ_SEED=${seed} npm run fuzz${filters.length ? ' -- ' + filters.join(' ') : ''}`,
);
const child = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    `--testTimeout=${Number(seconds) * 4000 + 60_000}`,
    // vitest's filters match parts of file paths; a filter without "fuzz" would run unit tests.
    ...(filters.length > 0 ? filters : ['.fuzz.test.']),
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs, FUZZ_SECONDS: seconds, FUZZ_REPORT: report },
  },
);

let entries: Entry[] = [];
try {
  entries = readFileSync(report, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Entry);
} catch {
  // No property reported (none ran): vitest's own output says why.
}
rmSync(dir, { recursive: true, force: true });
for (const e of entries)
  console.log(
    `fuzz: ${String(e.runs).padStart(8)} runs${e.interrupted ? ' (time limit)' : ''}${e.failed ? ' FAILED' : ''}  ${e.name}`,
  );
const total = entries.reduce((n, e) => n + e.runs, 0);
console.log(`fuzz: ${entries.length} properties, ${total} runs in all, seed ${seed}`);
process.exit(child.status ?? 1);
