import { Worker } from 'node:worker_threads';
const t0 = Date.now();
const url = new URL('./w.ts', import.meta.url).href;
const w = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, { eval: true });
w.on('message', (m) => { console.log('got', m, Date.now() - t0, 'ms'); void w.terminate(); });
w.on('error', (e) => console.log('err', e));
