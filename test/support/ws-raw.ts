/**
 * WebSocket at the byte level for the hostile suite: an upgrade request written by hand and
 * client frames built by hand (RFC 6455 5.2: FIN, RSV1, opcode, masked payload), for what the
 * `ws` client will not send (a compressed frame without the extension, a bad key or version).
 */
import { randomBytes } from 'node:crypto';
import type { RawPeer } from './hub-tcp.js';

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** A masked client frame (RFC 6455 5.3: every client frame is masked). */
export function clientFrame(
  opcode: number,
  payload: Buffer | string,
  o: { fin?: boolean; rsv1?: boolean } = {},
): Buffer {
  const data = Buffer.from(payload);
  const first = ((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | opcode;
  let head: Buffer;
  if (data.length < 126) head = Buffer.from([first, 0x80 | data.length]);
  else if (data.length < 65536) {
    head = Buffer.alloc(4);
    head.writeUInt8(first, 0);
    head.writeUInt8(0x80 | 126, 1);
    head.writeUInt16BE(data.length, 2);
  } else {
    head = Buffer.alloc(10);
    head.writeUInt8(first, 0);
    head.writeUInt8(0x80 | 127, 1);
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, masked]);
}

/** The upgrade request for `path`, with the headers given replacing the usual ones. */
export function upgradeRequest(path: string, headers: Record<string, string | null> = {}): string {
  const all: Record<string, string | null> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** The status code of the server's close frame in what `peer` received after the 101, if any. */
export function closeCodeIn(peer: RawPeer): number | undefined {
  const all = Buffer.from(peer.text(), 'latin1');
  let at = all.indexOf('\r\n\r\n');
  if (at === -1) return undefined;
  at += 4;
  while (at + 2 <= all.length) {
    const opcode = all[at]! & 0x0f;
    let len = all[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) {
      len = all.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(all.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === OP.close) return len >= 2 ? all.readUInt16BE(off) : 1005;
    at = off + len;
  }
  return undefined;
}
