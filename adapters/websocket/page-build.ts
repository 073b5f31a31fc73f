/**
 * The web page: plain TypeScript under page/, bundled in memory with esbuild when the adapter
 * starts, so a fresh clone serves it after `npm install` with no build step and nothing is
 * fetched from anywhere but the gateway (no CDN).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageAssets {
  readonly html: string;
  readonly css: string;
  readonly js: string;
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

// One build per process: every gateway in a test run serves the same files.
let cached: Promise<PageAssets> | null = null;

async function buildAssets(): Promise<PageAssets> {
  const [html, css, bundle] = await Promise.all([
    readFile(PAGE_DIR + 'index.html', 'utf8'),
    readFile(PAGE_DIR + 'style.css', 'utf8'),
    build({
      entryPoints: [PAGE_DIR + 'app.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      platform: 'browser',
      logLevel: 'silent',
      legalComments: 'none',
    }),
  ]);
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no page bundle');
  return { html, css, js };
}

export function pageAssets(): Promise<PageAssets> {
  if (cached === null) {
    cached = buildAssets();
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
