/**
 * `npm run build` (also run by `prepare`, so `npm install` / `npm ci` in a clone and `npm pack`
 * build): compiles the gateway to dist/ for bin/cpim-gateway.js (issue 14, "Compiled package").
 *
 * 1. `tsc -p tsconfig.build.json`: src/ and adapters/ to dist/src and dist/adapters, incremental
 *    (dist/.tsbuildinfo), so a build with nothing changed takes a couple of seconds.
 * 2. Files that are not TypeScript but run or are read at run time are copied beside the emitted
 *    JavaScript: the email adapter's worker entry (*.mjs), JSON schemas (*.json).
 * 3. The web page is bundled now (esbuild, with the adapter's own options) to
 *    dist/adapters/websocket/page/app.js, next to its index.html and style.css; the compiled
 *    adapter serves them and never loads esbuild (adapters/websocket/page-build.ts).
 * 4. JavaScript in dist/ whose source is gone is deleted, so a renamed file is not shipped twice.
 * 5. dist/.build-stamp is written last: vitest's global setup (test/support/build-dist.ts)
 *    rebuilds when any source is newer than it, so no test ever runs a stale dist/.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { PAGE_BUNDLE, pageBundleOptions } from '../adapters/websocket/page-build.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
/** The folders tsconfig.build.json compiles; dist/ mirrors them. */
const SOURCE_DIRS = ['src', 'adapters'] as const;
const PAGE_SOURCES = 'adapters/websocket/page/';

/** Every file and folder under `dir` (relative to ROOT), recursively. */
function entriesUnder(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return (readdirSync(abs, { recursive: true }) as string[]).map((f) => join(dir, f));
}

function filesUnder(dir: string): string[] {
  return entriesUnder(dir).filter((f) => statSync(join(ROOT, f)).isFile());
}

const isTest = (f: string) => /\.test\.[^/]+$/.test(f);

/**
 * Files beside the sources that are not TypeScript, which the compiled code reads or runs (the
 * worker entry *.mjs, JSON schemas, the page's HTML and CSS), relative to ROOT. Documentation and
 * compiler settings stay behind.
 */
export function assetFiles(): string[] {
  return SOURCE_DIRS.flatMap(filesUnder).filter(
    (f) => !isTest(f) && !/\.(ts|md)$/.test(f) && !f.endsWith('tsconfig.json') && !f.endsWith('.tmp'),
  );
}

/**
 * The inputs of a build: when one is newer than the stamp, dist/ is stale. Folders count too: a
 * file deleted or renamed changes its folder's modification time.
 */
function inputs(): string[] {
  const sources = SOURCE_DIRS.flatMap(entriesUnder).filter((f) => !isTest(f) && !f.endsWith('.md'));
  return [...SOURCE_DIRS, ...sources, 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts'];
}

/** Whether dist/ is missing or older than any of its inputs (file modification times). */
export function isStale(): boolean {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  // A file deleted between the listing and its stat counts as a change (its folder changed).
  const mtime = (f: string) => statSync(join(ROOT, f), { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
  return inputs().some((f) => mtime(f) > built);
}

export interface BuildResult {
  /** tsc reported type errors (it still emitted: dist/ is current, the sources are not clean). */
  readonly typeErrors: boolean;
}

function compile(): BuildResult {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    // Diagnostics to standard error: standard output stays clean for `npm pack --json`.
    stdio: ['ignore', 2, 2],
  });
  // tsc's exit codes: 0 clean, 2 diagnostics but outputs emitted, 1 diagnostics and no outputs.
  if (r.status === 0) return { typeErrors: false };
  if (r.status === 2) return { typeErrors: true };
  throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status ?? r.signal})`);
}

/**
 * Writes through a temporary file and a rename: a gateway started meanwhile (a test, while
 * `npm pack` rebuilds) reads the old file or the new one, never half of one.
 */
function writeAtomically(to: string, contents: Uint8Array | string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, to);
}

function copyAssets(): void {
  for (const f of assetFiles()) writeAtomically(join(DIST, f), readFileSync(join(ROOT, f)));
}

async function bundlePage(): Promise<void> {
  const out = await esbuild({ ...pageBundleOptions(join(ROOT, PAGE_SOURCES)), write: false });
  const js = out.outputFiles?.[0]?.contents;
  if (js === undefined) throw new Error('esbuild produced no page bundle');
  writeAtomically(join(DIST, PAGE_SOURCES, PAGE_BUNDLE), js);
}

/** Deletes files in dist/ that no source produces any more (tsc never deletes). */
function prune(): void {
  const assets = new Set(assetFiles());
  const bundle = join(PAGE_SOURCES, PAGE_BUNDLE);
  for (const dir of SOURCE_DIRS)
    for (const f of filesUnder(join('dist', dir))) {
      const rel = relative('dist', f);
      const kept =
        rel === bundle ||
        assets.has(rel) ||
        (rel.endsWith('.js') && existsSync(join(ROOT, rel.slice(0, -3) + '.ts')));
      if (!kept) rmSync(join(ROOT, f));
    }
}

export async function build(): Promise<BuildResult> {
  const result = compile();
  copyAssets();
  await bundlePage();
  prune();
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return result;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  build().then(
    (r) => {
      if (r.typeErrors) process.exitCode = 1;
      else console.error(`dist/ built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },
    (err: unknown) => {
      console.error(`build failed: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
