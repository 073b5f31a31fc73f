/**
 * `cpim-gateway --version` (`-V`): the version of the package this file belongs to. The folder
 * holding package.json differs between the sources (src/cli/) and the compiled package
 * (dist/src/cli/), so it is searched upwards. bin/cpim-gateway.js answers --version itself
 * without loading this (issue 14: fast); this serves main() called directly (tests, tsx).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'cpim-gateway';

export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}
