/**
 * A password guesser (or the real user) against a hub listener over real TCP, from a chosen
 * loopback source address (127.0.0.2 etc.: "another address"), with SASL PLAIN (RFC 4616) on
 * raw frames so that each answer can be told apart: checked (`invalid credentials`), refused
 * unchecked in backoff (`retry in`), ok, or the connection refused before `=mech`.
 */
import * as net from 'node:net';
import { wrapSocket } from './hub-tcp.js';

export interface PlainTry {
  /** Closed before the mechanism list: refused at accept. */
  readonly refused: boolean;
  /** sasl-failure answers after a password check. */
  readonly checked: number;
  /** sasl-failure answers without a check (backoff). */
  readonly throttled: number;
  readonly ok: boolean;
}

export function plainAuth(id: number, user: string, password: string): Buffer {
  const message = Buffer.from(`\0${user}\0${password}`);
  return Buffer.concat([
    Buffer.from(`>${id} auth\r\nMechanism: PLAIN\r\nContent-Length: ${message.length}\r\n\r\n`),
    message,
  ]);
}

const count = (text: string, s: string): number => text.split(s).length - 1;

/** Connects from `localAddress`, waits for `=mech`, makes `attempts` PLAIN attempts at once. */
export async function openPlain(port: number, localAddress: string) {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const peer = wrapSocket(socket, true);
  const mech = await peer.until((t) => t.includes('=mech'), 3000);
  return {
    peer,
    refused: !mech,
    /** Sends the attempts and reads their answers (or the close). */
    async attempt(user: string, password: string, attempts = 1): Promise<PlainTry> {
      if (!mech) {
        socket.destroy();
        return { refused: true, checked: 0, throttled: 0, ok: false };
      }
      const before = peer.text().length;
      await peer.write(
        Buffer.concat(Array.from({ length: attempts }, (_, i) => plainAuth(i + 1, user, password))),
      );
      const answers = (t: string) => count(t.slice(before), ' (auth)');
      await peer.until((t) => answers(t) >= attempts || t.slice(before).includes(' ok (auth)'), 3000);
      const t = peer.text().slice(before);
      return {
        refused: false,
        checked: count(t, 'Error-Description: invalid credentials'),
        throttled: count(t, 'retry in'),
        ok: t.includes(' ok (auth)'),
      };
    },
    close: () => socket.destroy(),
  };
}

/** One connection, `attempts` PLAIN attempts, closed. */
export async function tryPlain(
  port: number,
  localAddress: string,
  user: string,
  password: string,
  attempts = 1,
): Promise<PlainTry> {
  const c = await openPlain(port, localAddress);
  try {
    return await c.attempt(user, password, attempts);
  } finally {
    c.close();
  }
}
