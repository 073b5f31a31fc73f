// npm's `prepare` script: runs on `npm install` / `npm ci` in a clone and before `npm pack`, and
// builds dist/ (scripts/build.ts, through tsx). Plain JavaScript because an install that omits
// the development dependencies (`npm ci --omit=dev`, e.g. the last stage of a container build
// that copies a dist/ built earlier) has no tsx: then there is nothing to build with, and this
// says so instead of failing the install. Installing the packed tarball never runs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const root = new URL('../', import.meta.url);
if (!existsSync(new URL('node_modules/tsx/package.json', root))) {
  const built = existsSync(new URL('dist/src/cli.js', root));
  console.warn(
    `prepare: development dependencies not installed, dist/ not built${built ? ' (the existing dist/ is used)' : ' (run `npm install` with them, then `npm run build`)'}`,
  );
} else {
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
