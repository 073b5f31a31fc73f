/**
 * irc-framework 4.14's TCP/TLS transport with the one thing it leaves out: its `tls.connect` call
 * passes no `ca`, so `server.ca` never reached the handshake and a server whose certificate
 * chains to a private CA failed verification. This subclass opens the TLS socket itself (with
 * `ca`, the SNI name for host names, and the client certificate for SASL EXTERNAL) and hands it
 * to the transport's own socket wiring; plain TCP is left to the original.
 */
import { isIP } from 'node:net';
import tls from 'node:tls';
import NetTransport from 'irc-framework/src/transports/net.js';

/** The transport's `state` while a socket is connecting (SOCK_CONNECTING in net.js). */
const SOCK_CONNECTING = 1;

export class CaTlsTransport extends NetTransport {
  override connect(): void {
    const o = this.options;
    if (!(o.tls === true || o.ssl === true) || o.socks) return super.connect();
    this.debugOut('connect()');
    this.disposeSocket();
    this.requested_disconnect = false;
    this.incoming_buffer = Buffer.alloc(0);
    if (!o.encoding || !this.setEncoding(o.encoding)) this.setEncoding('utf8');
    this.state = SOCK_CONNECTING;
    const key = o.client_certificate?.private_key;
    const cert = o.client_certificate?.certificate;
    const socket = tls.connect({
      host: o.host,
      port: o.port || 6697,
      ...(isIP(o.host) === 0 ? { servername: o.host } : {}),
      rejectUnauthorized: o.rejectUnauthorized !== false,
      ...(o.ca ? { ca: o.ca } : {}),
      ...(key && cert ? { key, cert } : {}),
    });
    this.socket = socket;
    this._onSocketCreate(o, socket);
  }
}
