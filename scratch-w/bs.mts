import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { newMessageId } from '../src/protocol/message-id.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
function run(name: string, schema: string, batch: number, N = 60000) {
  const dir = mkdtempSync('/tmp/mb-');
  const db = new Database(dir + '/g.sqlite');
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
  db.exec(schema);
  const st = db.prepare(`INSERT INTO history (id, conversation, time, source, destination, content_type, payload) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  const payload = Buffer.alloc(250, 65);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let b = 0; b < N / batch; b++) {
    db.transaction(() => {
      for (let i = 0; i < batch; i++) st.run(newMessageId(), 'im:bench@gw.test', Date.now(), 'im:alice@gw.test', 'im:bench@gw.test', 'message/cpim', payload);
    }).immediate();
  }
  const c = process.cpuUsage(c0);
  console.log(name.padEnd(12), 'batch', String(batch).padStart(4), 'cpu us/op', ((c.user + c.system) / N).toFixed(2), 'wall us/op', ((performance.now() - t0) * 1000 / N).toFixed(2));
}
const v1 = MIGRATIONS[0]!.sql;
const slim = v1.replace('CREATE INDEX history_by_time ON history (time);', '');
for (const b of [1, 10, 30, 100, 500]) { run('v1', v1, b); run('no-time-idx', slim, b); }
