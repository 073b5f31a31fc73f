// The entry file of sender-auth-pool.ts's worker threads (piscina loads it and calls its default
// export per task). Plain JavaScript on purpose: a worker thread inherits neither a tsx loader
// nor vitest's transform. So this file registers tsx itself when the TypeScript source sits next
// to it (the sources: tests, benchmarks) and imports the compiled sibling otherwise (dist/, where
// `npm run build` copies this file beside the emitted sender-auth-task.js; no tsx there).
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('./sender-auth-task.ts', import.meta.url);
let task;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  task = await import(source.href);
} else task = await import(new URL('./sender-auth-task.js', import.meta.url).href);

export default task.runTask;
