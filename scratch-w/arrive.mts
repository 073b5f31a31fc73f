// Ops arrive in small groups, as IRC lines do: measure process CPU per op and ELU of the main loop.
import { startSqliteStore } from '../src/store/sqlite/open.js';
import { mkdtempSync } from 'node:fs';
import { newMessageId } from '../src/protocol/message-id.js';
const [writerThread, interval, group] = [process.argv[2] === 'thread', Number(process.argv[3]), Number(process.argv[4] ?? 3)];
process.env.COMMIT_INTERVAL_MS = String(interval);
const dir = mkdtempSync('/tmp/mb-');
const st = await startSqliteStore({ path: dir + '/g.sqlite', batchMaxWrites: 1000, busyTimeoutMs: 5000, writerThread });
const payload = Buffer.alloc(250, 65);
const N = 60000;
const c0 = process.cpuUsage(); const e0 = performance.eventLoopUtilization(); const t0 = performance.now();
const all: Promise<number>[] = [];
let sent = 0;
await new Promise<void>((done) => {
  const tick = () => {
    for (let i = 0; i < group && sent < N; i++, sent++) all.push(st.appendHistory({ id: newMessageId(), conversation: 'im:bench@gw.test', time: Date.now(), source: 'im:alice@gw.test', destination: 'im:bench@gw.test', contentType: 'message/cpim', payload }));
    if (sent < N) setImmediate(tick); else done();
  };
  tick();
});
await Promise.all(all);
const c = process.cpuUsage(c0); const e = performance.eventLoopUtilization(e0); const t = performance.now() - t0;
console.log(`${writerThread ? 'thread' : 'inline'} interval=${interval} group=${group}: rate ${(N / t * 1000).toFixed(0)}/s, process CPU ${((c.user + c.system) / N).toFixed(2)} us/op, loop busy ${(e.active * 1000 / N).toFixed(2)} us/op, tx ${st.transactions}`);
await st.close();
