/**
 * The command's own speed (issue 14, "Compiled package"): wall time of `cpim-gateway --version`,
 * of `inspect` on a small Message/CPIM document, and of `start` until every listener accepts
 * connections (hub IMTP and PITP, the web adapter with its page). Measured: the compiled package
 * (bin/cpim-gateway.js running dist/, rebuilt first when a source is newer). Baseline: the same
 * commands through tsx on the sources (procs/cli-tsx.js, the bin as it was before). A few
 * repetitions each, alternating, median and minimum. Goals of the issue: --version under 0.3 s,
 * start to listening under 1 s.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, isStale } from '../scripts/build.js';
import { stoppable } from '../test/support/child.js';
import { freePorts, untilListening } from '../test/support/net.js';
import { cpimOf } from './codecs.js';
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';

const COMPILED = new URL('../bin/cpim-gateway.js', import.meta.url).pathname;
const TSX = new URL('./procs/cli-tsx.js', import.meta.url).pathname;
const BASELINE = 'the same command through tsx on the TypeScript sources (the bin before issue 14)';

/** Milliseconds for one run of `entry argv` to its exit; a failing run stops the benchmark. */
function timeExit(entryFile: string, argv: readonly string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [entryFile, ...argv], { encoding: 'utf8', timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${entryFile} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

function startConfig(imtp: number, pitp: number, http: number, store: string): string {
  return JSON.stringify({
    gateway: { domains: ['gw.test'] },
    // The default backend (SQLite), in the run's temporary folder rather than ./data.
    storage: { path: store },
    log: { level: 'warn' },
    hub: {
      imtp: { host: '127.0.0.1', port: imtp },
      pitp: { host: '127.0.0.1', port: pitp },
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts: [{ user: 'alice', password: 'alice-pw', identities: ['im:alice@gw.test'] }],
    },
    adapters: [
      {
        type: 'websocket',
        domain: 'web.test',
        http: { host: '127.0.0.1', port: http, page: true },
        auth: { tokens: [{ user: 'carol', token: 'carol-token-0123456789' }] },
      },
    ],
  });
}

/** Milliseconds from spawning `start` until all three ports accept connections; then stopped. */
async function timeStart(entryFile: string, dir: string): Promise<number> {
  const ports = await freePorts(3);
  const file = join(dir, `gw-${ports[0]}.yaml`);
  writeFileSync(file, startConfig(ports[0]!, ports[1]!, ports[2]!, join(dir, `gw-${ports[0]}.sqlite`)));
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [entryFile, 'start', '--config', file], { stdio: 'ignore' });
  const proc = stoppable(child);
  try {
    await untilListening(ports, entryFile, () => !proc.alive(), 60_000);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    await proc.stop('SIGTERM', 5000);
  }
}

function figures(samples: readonly number[]): Figure[] {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return [
    { name: 'median', value: median, unit: 'ms', lowerIsBetter: true },
    { name: 'min', value: sorted[0]!, unit: 'ms', lowerIsBetter: true },
  ];
}

/** Alternates measured and baseline runs, so that a change in the machine's load hits both. */
async function pairs(
  reps: number,
  measure: (entryFile: string) => number | Promise<number>,
): Promise<{ compiled: number[]; tsx: number[] }> {
  const compiled: number[] = [];
  const tsx: number[] = [];
  for (let i = 0; i < reps; i++) {
    compiled.push(await measure(COMPILED));
    tsx.push(await measure(TSX));
  }
  return { compiled, tsx };
}

export const cli: Benchmark = {
  name: 'cli',
  description: 'the command: --version, inspect and start to listening, compiled vs through tsx',
  async run(ctx: BenchContext): Promise<readonly Entry[]> {
    if (isStale()) {
      ctx.progress('building dist/ (a source is newer)');
      await build();
    }
    const reps = ctx.quick ? 3 : 7;
    const dir = mkdtempSync(join(tmpdir(), 'cpim-bench-cli-'));
    try {
      const doc = join(dir, 'small.cpim');
      writeFileSync(doc, cpimOf('small'));
      const cases: [string, string, (f: string) => number | Promise<number>][] = [
        ['--version', 'median < 300 ms', (f) => timeExit(f, ['--version'])],
        ['inspect (a chat line as Message/CPIM)', '', (f) => timeExit(f, ['inspect', doc])],
        ['start until IMTP, PITP and the web page listen', 'median < 1000 ms', (f) => timeStart(f, dir)],
      ];
      const entries: Entry[] = [];
      for (const [name, target, measure] of cases) {
        ctx.progress(`${name}: ${reps} runs each`);
        const r = await pairs(reps, measure);
        entries.push(
          entry(
            name,
            figures(r.compiled),
            { name: BASELINE, figures: figures(r.tsx) },
            target ? { target } : {},
          ),
        );
      }
      return entries;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
