/**
 * A tiny authoritative DNS server on UDP loopback (node:dgram) answering SRV, A and CNAME
 * questions from a table, for discovery tests (draft §6.3, RFC 3861 §4). Names not in the table
 * get NXDOMAIN; a known name without records of the asked type gets an empty answer (NODATA).
 * CNAMEs are followed within the answer, as an authoritative server does (RFC 1034 3.6.2).
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

export type StubRecord =
  | {
      readonly type: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: 'A'; readonly address: string }
  | { readonly type: 'CNAME'; readonly target: string };

export type StubTable = Record<string, readonly StubRecord[]>;

export interface DnsStub {
  /** `127.0.0.1:PORT`, for `federation.dns.servers`. */
  readonly server: string;
  /** Every question asked, as "TYPE name". */
  readonly queries: string[];
  close(): Promise<void>;
}

const TYPE: Record<StubRecord['type'], number> = { A: 1, CNAME: 5, SRV: 33 };
const TYPE_NAME: Record<number, string> = { 1: 'A', 5: 'CNAME', 28: 'AAAA', 33: 'SRV' };

function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  return Buffer.concat([
    ...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function rdata(r: StubRecord): Buffer {
  switch (r.type) {
    case 'A':
      return Buffer.from(r.address.split('.').map(Number));
    case 'CNAME':
      return encodeName(r.target);
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.priority, 0);
      head.writeUInt16BE(r.weight, 2);
      head.writeUInt16BE(r.port, 4);
      return Buffer.concat([head, encodeName(r.target)]);
    }
  }
}

function rr(owner: string, r: StubRecord): Buffer {
  const data = rdata(r);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE[r.type], 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(60, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(owner), fixed, data]);
}

/** The question: name, type and the octets it spans (copied into the response). */
function question(msg: Buffer): { name: string; type: number; end: number } | null {
  let i = 12;
  const labels: string[] = [];
  while (i < msg.length) {
    const len = msg[i]!;
    if (len === 0) break;
    if (len > 63) return null;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += 1 + len;
  }
  if (i + 5 > msg.length) return null;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

export function answer(table: StubTable, msg: Buffer, queries?: string[]): Buffer | null {
  if (msg.length < 12) return null;
  const q = question(msg);
  if (q === null) return null;
  queries?.push(`${TYPE_NAME[q.type] ?? q.type} ${q.name}`);
  const answers: Buffer[] = [];
  let name = q.name;
  let known = false;
  for (let hop = 0; hop < 8; hop++) {
    const records = table[name];
    if (records === undefined) break;
    known = true;
    const cname = records.find((r) => r.type === 'CNAME');
    if (cname !== undefined && q.type !== TYPE.CNAME && cname.type === 'CNAME') {
      answers.push(rr(name, cname));
      name = cname.target.toLowerCase().replace(/\.$/, '');
      continue;
    }
    for (const r of records) if (TYPE[r.type] === q.type) answers.push(rr(name, r));
    break;
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0);
  // QR, AA, RD copied, RA; RCODE 3 (NXDOMAIN) for a name we know nothing of.
  header.writeUInt16BE(0x8000 | 0x0400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, msg.subarray(12, q.end), ...answers]);
}

export async function startDnsStub(table: StubTable): Promise<DnsStub> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const out = answer(table, msg, queries);
    if (out !== null) socket.send(out, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
