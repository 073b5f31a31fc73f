/**
 * The upgrade boundary of issue 13 (src/http-boundary.ts `guardUpgrade`: a throw answers 500 on
 * the raw socket and logs at warn), with one change for idle connections (issue 18): the error
 * listener that keeps a reset from throwing before ws has taken the socket is one function shared
 * by every socket, and it is removed once ws has added its own (`upgraded`). The core's guard adds
 * a closure per socket that stays for the connection's life: ~130 B per idle connection with the
 * listener array it makes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { refuseUpgrade, type Logger } from '../../src/index.js';

/** As the core logs a failed request's target (src/http-boundary.ts). */
const LOGGED_TARGET_CHARS = 200;

/** Node leaves an upgraded socket without an error listener: a reset would throw. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** The reason of whatever was thrown; never throws itself (issue 13, found by fuzzing). */
function reasonOf(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return `unprintable ${typeof err} thrown`;
  }
}

export function guardUpgrade(
  log: Logger,
  handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', destroyOnError);
    try {
      handler(req, socket, head);
    } catch (err) {
      log.warn(
        {
          reason: reasonOf(err),
          method: req.method,
          target: (req.url ?? '').slice(0, LOGGED_TARGET_CHARS),
          remote: req.socket.remoteAddress,
        },
        'websocket upgrade failed, answered 500',
      );
      if (!socket.destroyed) refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  };
}

/** ws has the socket and its own error listener (which closes it): the guard's goes. */
export function upgraded(socket: Duplex): void {
  socket.removeListener('error', destroyOnError);
}
