/**
 * `npm run build` (scripts/build.ts; issue 14, "Compiled package"): what it copies beside the
 * compiled code, and the web page bundled at build time, served by the compiled adapter without
 * esbuild. dist/ is current here: vitest's global setup rebuilds it (test/support/build-dist.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pageAssets } from '../adapters/websocket/page-build.js';
import { assetFiles, DIST, isStale } from '../scripts/build.js';

const COMPILED_PAGE = `${DIST}/adapters/websocket/page-build.js`;

describe('npm run build', () => {
  it('copies the worker entry, the JSON schema and the page HTML and CSS, and no sources', () => {
    const assets = assetFiles();
    expect(assets).toEqual(
      expect.arrayContaining([
        'adapters/email/sender-auth-worker.mjs',
        'adapters/websocket/protocol.schema.json',
        'adapters/websocket/page/index.html',
        'adapters/websocket/page/style.css',
      ]),
    );
    expect(assets.filter((f) => /\.(ts|md)$|tsconfig\.json$|\.test\./.test(f))).toEqual([]);
    for (const f of assets) expect(readFileSync(`${DIST}/${f}`)).toEqual(readFileSync(f));
  });

  it('leaves dist/ current (the global setup built it)', () => {
    expect(isStale()).toBe(false);
  });

  it('the compiled adapter serves the bundle made at build time, the same as the sources bundle', async () => {
    const compiled = (await import(COMPILED_PAGE)) as { pageAssets: typeof pageAssets };
    const served = await compiled.pageAssets();
    expect(served.js).toBe(readFileSync(`${DIST}/adapters/websocket/page/app.js`, 'utf8'));
    expect(served.js).toBe((await pageAssets()).js);
    expect(served.html).toContain('<script src="app.js"></script>');
  });

  it('the compiled code never imports esbuild or tsx at load time', () => {
    const page = readFileSync(COMPILED_PAGE, 'utf8');
    expect(page).not.toMatch(/^import .*['"](esbuild|tsx)/m);
    expect(page).toMatch(/await import\('esbuild'\)/);
  });
});
