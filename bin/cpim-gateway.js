#!/usr/bin/env node
// The `cpim-gateway` command: runs the compiled gateway in dist/ (`npm run build`, which
// `npm install` in a clone runs through `prepare`). No TypeScript loader at run time (issue 14,
// "Compiled package"; docs/install.md).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const argv = process.argv.slice(2);
const root = new URL('../', import.meta.url);

// In a clone (the sources are beside dist/), say so when a source changed after the last build:
// `npm start` would otherwise run the old code without a word. The installed package has no
// sources and skips this.
function warnIfStale() {
  const stamp = new URL('dist/.build-stamp', root);
  if (!existsSync(new URL('src/cli.ts', root)) || !existsSync(stamp)) return;
  const built = statSync(stamp).mtimeMs;
  for (const dir of ['src', 'adapters']) {
    const base = new URL(`${dir}/`, root);
    for (const f of readdirSync(base, { recursive: true })) {
      if (/\.(test\.ts|md)$/.test(f) || statSync(new URL(f, base)).mtimeMs <= built) continue;
      process.stderr.write(`cpim-gateway: ${dir}/${f} changed after the last build: run \`npm run build\`\n`);
      return;
    }
  }
}

if (argv[0] === '--version' || argv[0] === '-V') {
  // Answered here, before anything of the gateway is loaded, so that it is fast.
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  let cli;
  try {
    cli = await import('../dist/src/cli.js');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/src/cli.js')) throw err;
    process.stderr.write('cpim-gateway: dist/ is missing: run `npm run build` in the package folder\n');
    process.exit(1);
  }
  warnIfStale();
  process.exitCode = await cli.main(argv);
}
