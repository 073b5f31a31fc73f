/**
 * The socket under irc-framework 4.14, given to it through its public `transport` option: its
 * own TCP/TLS transport passes no `ca` to `tls.connect`, so `server.ca` never reached the
 * handshake and a server whose certificate chains to a private CA failed verification. This
 * transport opens the socket itself with Node's public APIs (with `ca`, the SNI name for host
 * names, and the client certificate for SASL EXTERNAL) and speaks the transport contract that
 * irc-framework's connection.js uses: connect, writeLine, isConnected, close, disposeSocket,
 * setEncoding; events `open`, `line`, `close`, `debug`. tls-transport.test.ts fails when
 * connection.js calls anything else, so a library update cannot change it unnoticed.
 *
 * Lines are split on LF (RFC 1459 2.3 says CR LF; servers send LF alone too) and decoded as UTF-8.
 */
import { EventEmitter } from 'node:events';
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import type { IrcConnectOptions } from 'irc-framework';

const LF = 0x0a;
/**
 * IRCv3 message-tags ("Size limit"): at most 8191 bytes of tags plus 512 for the rest of the
 * line. A protocol limit, not a tunable: a server that sends more is broken and is dropped.
 */
export const MAX_LINE_BYTES = 8191 + 512;

export class CaTlsTransport extends EventEmitter {
  private socket: net.Socket | null = null;
  private connected = false;
  private pending: Buffer = Buffer.alloc(0);
  private lastError: Error | null = null;

  constructor(private readonly options: IrcConnectOptions) {
    super();
  }

  isConnected(): boolean {
    return this.connected;
  }

  connect(): void {
    const o = this.options;
    this.disposeSocket();
    this.pending = Buffer.alloc(0);
    this.lastError = null;
    const key = o.client_certificate?.private_key;
    const cert = o.client_certificate?.certificate;
    const socket = o.tls
      ? tls.connect({
          host: o.host,
          port: o.port || 6697,
          ...(isIP(o.host) === 0 ? { servername: o.host } : {}),
          rejectUnauthorized: o.rejectUnauthorized !== false,
          ...(o.ca ? { ca: o.ca } : {}),
          ...(key && cert ? { key, cert } : {}),
        })
      : net.connect({ host: o.host, port: o.port || 6667 });
    this.socket = socket;
    this.debug(`connecting to ${o.host}:${o.port}${o.tls ? ' (TLS)' : ''}`);
    // No data for ping interval + ping timeout: the connection is dead (irc-framework's rule).
    if ((o.ping_interval ?? 0) > 0 && (o.ping_timeout ?? 0) > 0)
      socket.setTimeout(((o.ping_interval ?? 0) + (o.ping_timeout ?? 0)) * 1000);
    socket.once(o.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.emit('open');
    });
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err: Error) => {
      this.debug(`socket error: ${err.message}`);
      this.lastError = err;
    });
    socket.on('timeout', () => {
      this.debug('socket timeout');
      socket.destroy();
    });
    socket.once('close', () => {
      this.connected = false;
      if (this.socket === socket) this.emit('close', this.lastError ?? false);
    });
  }

  writeLine(line: string, cb?: () => void): void {
    if (this.socket !== null && this.connected) {
      this.socket.write(`${line}\r\n`, cb);
      return;
    }
    this.debug('writeLine() called when not connected');
    if (cb) process.nextTick(cb);
  }

  /** Ends cleanly once connected; destroys while connecting or when forced. */
  close(force?: boolean): void {
    const socket = this.socket;
    if (socket === null) return;
    if (force || !this.connected) socket.destroy();
    else socket.end();
  }

  /** Drops the socket without a `close` event (irc-framework calls it before reconnecting). */
  disposeSocket(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.connected = false;
    socket.removeAllListeners();
    socket.on('error', () => {});
    socket.destroy();
  }

  /** Only UTF-8 is spoken (config.ts has no encoding key); false makes irc-framework keep it. */
  setEncoding(encoding: string): boolean {
    return /^utf-?8$/i.test(encoding);
  }

  private onData(data: Buffer): void {
    let buf = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    let start = 0;
    const filter = this.options.line_filter;
    // One clock read per chunk for the filter's lines (fast-privmsg.ts), not per line.
    const now = filter === undefined ? 0 : Date.now();
    for (let end = buf.indexOf(LF, start); end !== -1; end = buf.indexOf(LF, start)) {
      // irc-framework's own transport hands lines on with their line ending; its parser trims it.
      const line = buf.toString('utf8', start, end + 1);
      // The hot path (fast-privmsg.ts) takes the lines it is sure of; irc-framework the rest.
      if (filter === undefined || !filter(line, now)) this.emit('line', line);
      start = end + 1;
    }
    buf = buf.subarray(start);
    if (buf.length > MAX_LINE_BYTES) {
      this.lastError = new Error(`the server sent a line over ${MAX_LINE_BYTES} bytes`);
      this.socket?.destroy();
      return;
    }
    this.pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }

  private debug(text: string): void {
    this.emit('debug', `CaTlsTransport ${text}`);
  }
}
