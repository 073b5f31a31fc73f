/**
 * The boundary around every HTTP request and upgrade of the gateway's HTTP servers, the web
 * adapter's and the operations endpoint's (issue 13: contain every failure at its boundary): a
 * request target that is not one answers 400, an unexpected exception answers 500 with one warn
 * line, and the server goes on serving everyone else. No exception from a request may reach the
 * event loop: it would stop the whole gateway. Shared through src/index.ts (issue 14).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from './log.js';
import type { LogThrottle } from './policy/index.js';

/** Enough of a request target to find it in the log, never the whole of a hostile one. */
const LOGGED_TARGET_CHARS = 200;

/**
 * The path of a request target (RFC 9112 3.2): origin-form `/path?query` (3.2.1; `//` is a
 * path of empty segments, not an error) or absolute-form `http://host/path` (3.2.2: a server
 * MUST accept it). Authority-form and asterisk-form are for CONNECT and OPTIONS, which this
 * server does not serve, so they and anything else are null: answered 400. The path is kept as
 * sent (percent-encoding undecoded), so `%zz` is merely a path that is not found.
 */
export function requestPath(target: string | undefined): string | null {
  if (target === undefined || target === '') return null;
  if (target.startsWith('/')) {
    const end = target.search(/[?#]/);
    return end === -1 ? target : target.slice(0, end);
  }
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}

/**
 * The reason of whatever was thrown, as text. It must not throw itself: found by fuzzing (issue
 * 13), a thrown `Object.create(null)` or an Error whose `message` getter throws made `String()`
 * throw inside the boundary, and that exception reached the event loop.
 */
function reasonOf(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return `unprintable ${typeof err} thrown`;
  }
}

function failure(err: unknown, req: IncomingMessage): Record<string, unknown> {
  return {
    reason: reasonOf(err),
    method: req.method,
    target: (req.url ?? '').slice(0, LOGGED_TARGET_CHARS),
    remote: req.socket.remoteAddress,
  };
}

/** A request handler inside the boundary: a throw or a rejection answers 500 and logs at warn. */
export function guardRequest(
  log: Logger,
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (err: unknown): void => {
      log.warn(failure(err, req), 'http request failed, answered 500');
      if (res.headersSent) {
        // Too late for a status line: cutting the connection tells the client it is incomplete.
        res.destroy();
        return;
      }
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('internal error\n');
    };
    try {
      Promise.resolve(handler(req, res)).catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

/** Ends an upgrade attempt with a plain HTTP status (RFC 6455 4.2.2: any status but 101 refuses). */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** Node leaves an upgraded socket without an error listener: a reset would throw. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * An upgrade handler inside the boundary: a throw answers 500 on the raw socket and logs at warn.
 * The error listener that keeps a reset from throwing before the WebSocket library has taken the
 * socket is one function shared by every socket, and the handler removes it with `upgraded` once
 * the library has its own (issue 18: a closure per socket kept for the connection's life cost
 * ~130 B per idle connection).
 */
export function guardUpgrade(
  log: Logger,
  handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', destroyOnError);
    try {
      handler(req, socket, head);
    } catch (err) {
      log.warn(failure(err, req), 'websocket upgrade failed, answered 500');
      if (!socket.destroyed) refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  };
}

/** The WebSocket library has the socket and its own error listener (which closes it). */
export function upgraded(socket: Duplex): void {
  socket.removeListener('error', destroyOnError);
}

/**
 * RFC 9112 3.2: a server MUST answer 400 to a request with more than one Host field line (Node
 * keeps the first and would serve it). Node already refuses a request without Host.
 */
export function duplicateHost(req: IncomingMessage): boolean {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  return hosts > 1;
}

/** The status for a request the HTTP parser refused (Node's own choice, RFC 9110 15.5). */
function clientErrorStatus(code: string | undefined): [number, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout'];
  return [400, 'Bad Request'];
}

/**
 * The server's `clientError` handler: bytes that are no HTTP/1.1 request (a TLS ClientHello, an
 * HTTP/2 preface, an unknown method, a bad chunk size), a head over 16 KB, or a head not complete
 * within headersTimeout. Answered as Node would (400, 431, 408) when nothing was written on the
 * connection yet, and logged at warn with the reason and the remote address, at most one line
 * per interval (a flood of garbage must not flood the log).
 */
export function answerClientError(
  log: Logger,
  throttle: LogThrottle,
): (err: Error & { code?: string }, socket: Duplex) => void {
  return (err, duplex) => {
    const socket = duplex as Socket;
    // A reset or a client that went away is nobody's failure (Node's default is silent too).
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, text] = clientErrorStatus(err.code);
    const suppressed = throttle.allow();
    if (suppressed >= 0)
      log.warn(
        { reason: err.code ?? err.message, remote: socket.remoteAddress, status, suppressed },
        'http client error, request refused',
      );
    if (socket.bytesWritten === 0)
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
}
