/**
 * The gateway's end of the admin channel (docs/operations-reload.md): a Unix domain socket, mode
 * 0600 from the moment it exists (the umask is narrowed around the bind), so only the gateway's
 * own user (and root) may connect; no network port. One request line per connection, answered
 * with one line, then closed. Requests that are too long, not JSON, or idle are answered with a
 * problem and closed; each is logged at warn.
 */
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { MAX_REQUEST_BYTES, parseRequest, type AdminAnswer, type AdminCommand } from './protocol.js';

/** A connection that has not sent its request line by then is closed. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface AdminSocketOptions {
  readonly path: string;
  readonly log: Logger;
  /** Answers one command; never rejects. */
  readonly handle: (command: AdminCommand) => Promise<AdminAnswer>;
}

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

/** Resolves true when a process accepts connections on `path`. */
function inUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A socket file left by a gateway that died is removed; a live one (another gateway with the
 * same configuration) or anything that is not a socket is never touched: the open fails.
 */
async function clearStale(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket`);
  if (await inUse(path)) throw new Error(`another process answers on ${path}`);
  rmSync(path, { force: true });
}

function answerLine(a: AdminAnswer): string {
  return JSON.stringify(a) + '\n';
}

export async function openAdminSocket(options: AdminSocketOptions): Promise<AdminSocket> {
  const { path, log } = options;
  await clearStale(path);
  const server: Server = createServer((socket) => serve(socket, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The bind happens inside listen(): a 0177 umask makes the file 0600 from its first moment.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  server.on('error', (err) => log.warn({ err, path }, 'admin socket error'));
  log.info({ path }, 'admin socket listening (cpim-gateway reload)');
  return {
    path,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          rmSync(path, { force: true });
          resolve();
        }),
      ),
  };
}

function serve(socket: Socket, options: AdminSocketOptions): void {
  const { log } = options;
  let buffered = '';
  let answered = false;
  const finish = (a: AdminAnswer): void => {
    answered = true;
    socket.end(answerLine(a));
  };
  const refuse = (problem: string): void => {
    log.warn({ path: options.path, reason: problem }, 'admin request refused');
    finish({ ok: false, problems: [{ path: '', message: problem }] });
  };
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
    if (!answered) refuse('no request line in time');
  });
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    if (answered) return;
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) refuse('request line too long');
      return;
    }
    const request = parseRequest(buffered.slice(0, end));
    if (typeof request !== 'string') return refuse(request.problem);
    answered = true;
    socket.setTimeout(0);
    options.handle(request).then(
      (a) => socket.end(answerLine(a)),
      (err: unknown) =>
        socket.end(answerLine({ ok: false, problems: [{ path: '', message: (err as Error).message }] })),
    );
  });
}
