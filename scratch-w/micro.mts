import { startSqliteStore } from '../src/store/sqlite/open.js';
import { mkdtempSync } from 'node:fs';
import { newMessageId } from '../src/protocol/message-id.js';
for (const writerThread of [true]) {
  const dir = mkdtempSync('/tmp/mb-');
  const st = await startSqliteStore({ path: dir + '/g.sqlite', batchMaxWrites: 1000, busyTimeoutMs: 5000, writerThread });
  const payload = Buffer.alloc(200, 65);
  const N = 200000;
  const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage(); const e0 = performance.eventLoopUtilization();
  let inflight: Promise<number>[] = [];
  for (let i = 0; i < N; i++) {
    inflight.push(st.appendHistory({ id: newMessageId(), conversation: 'im:bench@gw.test', time: Date.now(), source: 'im:alice@gw.test', destination: 'im:bench@gw.test', contentType: 'message/cpim', payload }));
    if (inflight.length >= 1024) { await Promise.all(inflight); inflight = []; }
  }
  await Promise.all(inflight);
  const t = Number(process.hrtime.bigint() - t0) / 1e9; const c = process.cpuUsage(c0); const e = performance.eventLoopUtilization(e0);
  console.log(writerThread ? 'thread' : 'inline', 'rate', (N / t).toFixed(0), 'process cpu us/msg', ((c.user + c.system) / N).toFixed(2), 'loop busy us/msg', (e.active * 1000 / N).toFixed(2), 'tx', st.transactions);
  await st.close();
}
