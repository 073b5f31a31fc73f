/**
 * vitest's global setup: tests that spawn the real command (`node bin/cpim-gateway.js`, which
 * runs the compiled dist/) must never run a stale build (issue 14, "Compiled package"). Before
 * the first test, and before each re-run in watch mode, dist/ is rebuilt when any source is newer
 * than the last build (scripts/build.ts; tsc is incremental). With nothing changed this costs a
 * walk over the source folders' modification times, a few milliseconds.
 */
import type { TestProject } from 'vitest/node';
import { build, isStale } from '../../scripts/build.js';

async function ensureBuilt(): Promise<void> {
  if (!isStale()) return;
  const t0 = Date.now();
  process.stderr.write('dist/ is older than the sources: building it (scripts/build.ts)\n');
  const r = await build();
  // Type errors do not stop the tests (tsc emitted every file; `npm test` type-checks first).
  process.stderr.write(
    `dist/ built in ${((Date.now() - t0) / 1000).toFixed(1)} s${r.typeErrors ? ' (with type errors, above)' : ''}\n`,
  );
}

export default async function setup(project: TestProject): Promise<void> {
  await ensureBuilt();
  project.onTestsRerun(ensureBuilt);
}
