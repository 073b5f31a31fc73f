/** `cpim-gateway --version` through main() (the sources; the installed bin: test/package.test.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import { packageVersion } from './version.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('--version', () => {
  it('finds the package version above the file, from src/ or dist/src/', () => {
    expect(packageVersion()).toBe(pkg.version);
    const compiled = new URL('../../dist/src/cli/version.js', import.meta.url).pathname;
    expect(packageVersion(compiled)).toBe(pkg.version);
  });

  it('prints it for --version and -V, exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      let out = '';
      const code = await main([flag], {
        stdout: (s) => (out += s),
        stderr: () => {},
        readStdin: () => Buffer.alloc(0),
      });
      expect({ code, out }).toEqual({ code: 0, out: `${pkg.version}\n` });
    }
  });

  it('is named in the usage text', async () => {
    let out = '';
    await main(['help'], { stdout: (s) => (out += s), stderr: () => {}, readStdin: () => Buffer.alloc(0) });
    expect(out).toMatch(/--version, -V +print the version/);
  });
});
