import { it, expect } from 'vitest';
import { Worker } from 'node:worker_threads';
it('w', async () => {
  const w = new Worker(new URL('./w.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  const m = await new Promise((r, j) => { w.on('message', r); w.on('error', j); });
  await w.terminate();
  expect(m).toEqual({ hi: 1, f: 'function' });
  console.log(import.meta.url);
});
