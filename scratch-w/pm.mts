import { Worker } from 'node:worker_threads';
import { packBatch } from '../src/store/sqlite/wire.js';
import { newMessageId } from '../src/protocol/message-id.js';
const w = new Worker('require("node:worker_threads").parentPort.on("message", () => {})', { eval: true });
const payload = Buffer.alloc(200, 65);
const mk = () => Array.from({ length: 500 }, () => ({ op: 'appendHistory' as const, id: newMessageId(), conversation: 'im:bench@gw.test', time: Date.now(), source: 'im:alice@gw.test', destination: 'im:bench@gw.test', contentType: 'message/cpim', payload: Buffer.from(payload) }));
const batches = Array.from({ length: 200 }, mk);
let t = process.hrtime.bigint();
for (const b of batches) { const p = packBatch(b); w.postMessage(p, [p.bytes]); }
console.log('parts: us/op', Number(process.hrtime.bigint() - t) / 1e3 / 100000);
// binary: strings utf8 into one buffer
const enc = new TextEncoder();
t = process.hrtime.bigint();
for (const b of batches) {
  let size = 0; for (const o of b) size += 8 + (o.id.length + o.conversation.length + o.source.length + o.destination.length + o.contentType.length) * 3 + 24 + o.payload.length;
  const buf = Buffer.allocUnsafeSlow(size); let at = 0;
  for (const o of b) {
    for (const s of [o.id, o.conversation, o.source, o.destination, o.contentType]) { const n = buf.write(s, at + 2, 'utf8'); buf.writeUInt16LE(n, at); at += 2 + n; }
    buf.writeDoubleLE(o.time, at); at += 8; buf.writeUInt32LE(o.payload.length, at); at += 4; o.payload.copy(buf, at); at += o.payload.length;
  }
  w.postMessage(buf.buffer, [buf.buffer]);
}
console.log('binary: us/op', Number(process.hrtime.bigint() - t) / 1e3 / 100000);
t = process.hrtime.bigint();
for (const b of batches) { const p = packBatch(b); }
console.log('pack only: us/op', Number(process.hrtime.bigint() - t) / 1e3 / 100000);
await w.terminate();
{
const w2 = new Worker('require("node:worker_threads").parentPort.on("message", () => {})', { eval: true });
let t = process.hrtime.bigint();
for (const b of batches) {
  const strings = new Map<string, number>(); const table: string[] = [];
  const parts: (string|number)[] = [];
  const str = (s: string) => { let i = strings.get(s); if (i === undefined) { i = table.length; table.push(s); strings.set(s, i); } return i; };
  let total = 0; for (const o of b) total += o.payload.length;
  const bytes = new Uint8Array(total); let at = 0;
  for (const o of b) { parts.push(0, o.id, str(o.conversation), o.time, str(o.source), str(o.destination), str(o.contentType), at, o.payload.length); bytes.set(o.payload, at); at += o.payload.length; }
  w2.postMessage({ parts, table, bytes: bytes.buffer }, [bytes.buffer]);
}
console.log('interned: us/op', Number(process.hrtime.bigint() - t) / 1e3 / 100000);
await w2.terminate();
}
