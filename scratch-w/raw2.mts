import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { newMessageId } from '../src/protocol/message-id.js';
function run(name: string, schema: string, sql: string, mode: 'get'|'run', N = 300000) {
  const dir = mkdtempSync('/tmp/mb-');
  const db = new Database(dir + '/g.sqlite');
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
  db.exec(schema);
  const st = db.prepare(sql);
  const payload = Buffer.alloc(200, 65);
  const convs = Array.from({length: 20}, (_, i) => `im:room${i}@gw.test`);
  const c0 = process.cpuUsage(); const t0 = Date.now();
  for (let b = 0; b < N / 500; b++) {
    db.transaction(() => {
      for (let i = 0; i < 500; i++) {
        const args = [newMessageId(), convs[i % 20], Date.now(), 'im:alice@gw.test', 'im:bench@gw.test', 'message/cpim', payload];
        if (mode === 'get') st.get(...args); else st.run(...args);
      }
    }).immediate();
  }
  const c = process.cpuUsage(c0);
  console.log(name.padEnd(20), 'cpu us/msg', ((c.user + c.system) / N).toFixed(2), 'wall', Date.now() - t0);
}
const base = `CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, conversation TEXT NOT NULL, time INTEGER NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL, content_type TEXT NOT NULL, payload BLOB NOT NULL`;
const ins = `INSERT INTO history (id, conversation, time, source, destination, content_type, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`;
run('A current', base + `, UNIQUE (conversation, id)); CREATE INDEX a ON history (conversation, seq); CREATE INDEX b ON history(time);`, ins + ' ON CONFLICT (conversation, id) DO NOTHING RETURNING seq', 'get');
run('B no time idx', base + `, UNIQUE (conversation, id)); CREATE INDEX a ON history (conversation, seq);`, ins + ' ON CONFLICT (conversation, id) DO NOTHING RETURNING seq', 'get');
run('C B+run', base + `, UNIQUE (conversation, id)); CREATE INDEX a ON history (conversation, seq);`, 'INSERT OR IGNORE' + ins.slice(6), 'run');
run('D C+idx(id)', base + `, UNIQUE (id, conversation)); CREATE INDEX a ON history (conversation, seq);`, 'INSERT OR IGNORE' + ins.slice(6), 'run');
run('bare', base + `);`, ins, 'run');
