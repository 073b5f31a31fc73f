/**
 * `npm run bench [-- --quick] [-- --only codecs,relay]`: runs the registered benchmarks one
 * after another, prints a table per benchmark and writes every figure to
 * bench/results/latest.json. Each benchmark is a module exporting a `Benchmark`; add new ones to
 * REGISTRY.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './cli.js';
import { codecs } from './codecs.js';
import { federation } from './federation.js';
import { irc } from './irc.js';
import { entriesTable, machine, type Benchmark, type Entry } from './lib/report.js';
import { parseArgs } from './lib/stats.js';
import { mail } from './mail.js';
import { peer } from './peer.js';
import { relay } from './relay.js';
import { scale } from './scale.js';
import { store } from './store.js';
import { websocket } from './websocket.js';
import { xmpp } from './xmpp.js';

/** Every benchmark, in the order they run. */
export const REGISTRY: readonly Benchmark[] = [
  codecs,
  relay,
  federation,
  scale,
  irc,
  peer,
  xmpp,
  websocket,
  mail,
  cli,
  store,
];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const b of REGISTRY) console.log(`${b.name.padEnd(12)} ${b.description}`);
    return;
  }
  const unknown = (args.only ?? []).filter((n) => !REGISTRY.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (see --list)`);
  const chosen = args.only === null ? REGISTRY : REGISTRY.filter((b) => args.only!.includes(b.name));
  const m = machine();
  const started = Date.now();
  console.log(
    `CPIM gateway benchmarks${args.quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${m.platform}, load average ${m.loadAverage}`,
  );
  const results: { name: string; description: string; seconds: number; entries: Entry[] }[] = [];
  for (const b of chosen) {
    const t0 = Date.now();
    const entries = (
      await b.run({ quick: args.quick, progress: (s) => process.stderr.write(`  … ${s}\n`) })
    ).map((e) => ({ ...e, machine: m }));
    const seconds = (Date.now() - t0) / 1000;
    results.push({ name: b.name, description: b.description, seconds, entries });
    console.log(`\n## ${b.name}: ${b.description} (${seconds.toFixed(1)} s)\n`);
    console.log(entriesTable(entries));
  }
  const file = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        quick: args.quick,
        seconds: (Date.now() - started) / 1000,
        machine: m,
        benchmarks: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nall figures: ${file} (${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
