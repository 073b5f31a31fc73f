/**
 * The page's browser code is type-checked with the DOM library (page/tsconfig.json; the root
 * tsconfig leaves it out), and esbuild bundles it.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { pageAssets } from './page-build.js';

describe('web chat page sources', () => {
  it('type-check with the DOM library', () => {
    const file = fileURLToPath(new URL('./page/tsconfig.json', import.meta.url));
    const read = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(
      read.config,
      ts.sys,
      fileURLToPath(new URL('./page/', import.meta.url)),
    );
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  }, 90_000);

  it('bundle into one script with no imports left', async () => {
    const a = await pageAssets();
    expect(a.js).not.toMatch(/\bimport\s*[{(*'"]/);
    expect(a.html).toContain('<script src="app.js"></script>');
  });
});
