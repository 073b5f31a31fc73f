/**
 * The web page: plain TypeScript under page/, bundled into one script so that nothing is
 * fetched from anywhere but the gateway (no CDN).
 *
 * Compiled (dist/, issue 14 "Compiled package"): `npm run build` writes the bundle beside this
 * file as page/app.js, next to copies of page/index.html and page/style.css, and the adapter
 * serves those files; esbuild is a development dependency and is never loaded. Run from the
 * sources (tests through vitest, tsx), page/ holds only app.ts, so the page is bundled in memory
 * with esbuild, once per process.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
// A type only (erased when compiled): the package itself never loads esbuild.
import type { BuildOptions } from 'esbuild';

export interface PageAssets {
  readonly html: string;
  readonly css: string;
  readonly js: string;
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/** The bundle's name in page/: the build writes it, index.html loads it (`<script src="app.js">`). */
export const PAGE_BUNDLE = 'app.js';

/**
 * esbuild's options for the page, shared by the in-memory build below and scripts/build.ts (so
 * the compiled package serves the very bundle the tests check).
 */
export function pageBundleOptions(pageDir = PAGE_DIR): BuildOptions {
  return {
    entryPoints: [pageDir + 'app.ts'],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    logLevel: 'silent',
    legalComments: 'none',
  };
}

// One build per process: every gateway in a test run serves the same files.
let cached: Promise<PageAssets> | null = null;

async function bundleInMemory(): Promise<string> {
  // Imported only here: the compiled package has no esbuild (a devDependency).
  const { build } = await import('esbuild');
  const bundle = await build({ ...pageBundleOptions(), write: false });
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no page bundle');
  return js;
}

async function loadAssets(): Promise<PageAssets> {
  const prebuilt = existsSync(PAGE_DIR + PAGE_BUNDLE);
  // files.css: the attachments' styles (issue 17), served as part of style.css.
  const [html, css, filesCss, js] = await Promise.all([
    readFile(PAGE_DIR + 'index.html', 'utf8'),
    readFile(PAGE_DIR + 'style.css', 'utf8'),
    readFile(PAGE_DIR + 'files.css', 'utf8'),
    prebuilt ? readFile(PAGE_DIR + PAGE_BUNDLE, 'utf8') : bundleInMemory(),
  ]);
  return { html, css: `${css}\n${filesCss}`, js };
}

export function pageAssets(): Promise<PageAssets> {
  if (cached === null) {
    cached = loadAssets();
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
