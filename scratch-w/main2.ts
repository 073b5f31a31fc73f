import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
const t0 = Date.now();
const api = createRequire(import.meta.url).resolve('tsx/esm/api');
console.log(api);
const url = new URL('./w.ts', import.meta.url).href;
const w = new Worker(`require(${JSON.stringify(api)}).register(); import(${JSON.stringify(url)});`, { eval: true });
w.on('message', (m) => { console.log('got', m, Date.now() - t0, 'ms'); void w.terminate(); });
w.on('error', (e) => console.log('err', e));
