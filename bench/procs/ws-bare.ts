/**
 * The baseline of the websocket benchmark: a bare `ws` server (no deflate, no client tracking,
 * as the web chat adapter configures it) on a free loopback port that answers each text frame
 * with one small JSON frame and otherwise holds its connections idle. IPC:
 *   child → { type: 'ready', port }
 *   parent → { type: 'memory' }   child → { type: 'memory', usage } (after full GCs)
 * The parent stops it by PID (SIGTERM).
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 65536,
});
let connections = 0;
wss.on('connection', (ws) => {
  connections++;
  ws.on('message', () => ws.send('{"type":"welcome","v":1}'));
  ws.on('close', () => connections--);
});
wss.on('listening', () => {
  const a = wss.address();
  process.send?.({ type: 'ready', port: a !== null && typeof a === 'object' ? a.port : 0 });
});
process.on('message', (m: { type: string }) => {
  if (m.type !== 'memory') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) for (let i = 0; i < 3; i++) gc();
  process.send?.({ type: 'memory', usage: process.memoryUsage(), connections });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
