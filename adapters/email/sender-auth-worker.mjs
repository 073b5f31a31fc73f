// The entry file of sender-auth-pool.ts's worker threads (piscina loads it and calls its default
// export per task). Plain JavaScript on purpose: a worker thread does not inherit the tsx loader
// that bin/cpim-gateway.js registers on the main thread, nor vitest's transform. So this file
// registers tsx itself when the TypeScript source sits next to it (a clone run with `npm start`
// or the tests) and imports the compiled sibling otherwise (a build that emits .js next to it).
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
