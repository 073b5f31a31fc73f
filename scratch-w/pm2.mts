import { Worker } from 'node:worker_threads';
const w = new Worker('require("node:worker_threads").parentPort.on("message", () => {})', { eval: true });
const N = 20000;
const parts = Array.from({ length: 10 * 9 }, (_, i) => (i % 3 ? 'im:someone@gw.test' : i));
function bench(name: string, f: () => void) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) f();
  console.log(name.padEnd(28), (Number(process.hrtime.bigint() - t) / 1e3 / N).toFixed(2), 'us/call');
}
bench('empty object', () => w.postMessage({}));
bench('parts only', () => w.postMessage({ parts }));
bench('parts + transfer 2KB', () => { const b = new Uint8Array(2500); w.postMessage({ parts, bytes: b.buffer }, [b.buffer]); });
bench('parts + clone 2KB', () => { const b = new Uint8Array(2500); w.postMessage({ parts, bytes: b.buffer }); });
await w.terminate();
