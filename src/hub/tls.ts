/**
 * TLS for the hub listeners and links: the project's implicit-TLS extension (docs/hub-protocol.md
 * part 4 row 2; the draft itself has no TLS, §6.4). Reads PEM files, builds the options of
 * `tls.createServer` / `tls.connect`, and reads a verified peer certificate's names for SASL
 * EXTERNAL (part 4 row 12: EXTERNAL over mutual TLS is strong).
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions, PeerCertificate, TlsOptions, TLSSocket } from 'node:tls';
import type { TlsConfig } from '../config/schema.js';

/** PEM material as read from the files of a `TlsConfig`. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly requestClientCert: boolean;
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    throw new Error(`cannot read the TLS ${what} file ${path} (${code})`, { cause: e });
  }
}

/** Reads the PEM files named by a listener's `tls` section; rejects naming the file that failed. */
export async function loadTlsMaterial(config: TlsConfig): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([
    readPem(config.cert, 'certificate'),
    readPem(config.key, 'key'),
    config.ca === undefined ? undefined : readPem(config.ca, 'CA'),
  ]);
  return ca === undefined
    ? { cert, key, requestClientCert: config.requestClientCert }
    : { cert, key, ca, requestClientCert: config.requestClientCert };
}

/**
 * Options for `tls.createServer`. A client certificate is asked for when `requestClientCert` is
 * set but never required: a client without one (or with one that does not verify) still
 * connects and may use PLAIN; only a verified certificate makes EXTERNAL available.
 */
export function serverTlsOptions(material: TlsMaterial, handshakeTimeoutMs: number): TlsOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    requestCert: material.requestClientCert,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    handshakeTimeout: handshakeTimeoutMs,
  };
}

/** PEM contents (not paths) for an outbound link; verification is on unless turned off. */
export interface ClientTlsOptions {
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly servername?: string;
  /** Default true: the server certificate must verify against `ca` (or the system roots). */
  readonly rejectUnauthorized?: boolean;
}

export function clientTlsOptions(host: string, port: number, tls: ClientTlsOptions): ConnectionOptions {
  return {
    host,
    port,
    ...(tls.ca === undefined ? {} : { ca: tls.ca as ConnectionOptions['ca'] }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
    minVersion: 'TLSv1.2',
  };
}

/** Whether the peer presented a certificate that verified against our CA (mutual TLS). */
export function hasVerifiedPeerCert(socket: TLSSocket): boolean {
  if (!socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  return cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
}

/**
 * Splits Node's `subjectaltname` string ("DNS:a, IP Address:1.2.3.4, URI:..."); values with
 * special characters come JSON-quoted (Node 17.3.1 and later).
 */
export function parseSubjectAltName(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      next = text.indexOf(', ', j);
    } else {
      next = text.indexOf(', ', colon);
      value = text.slice(colon + 1, next === -1 ? text.length : next);
    }
    out.push({ type, value });
    if (next === -1) break;
    i = next + 2;
  }
  return out;
}

/**
 * The names a certificate vouches for, in order of preference: the subject CN(s), then the
 * subjectAltName DNS names, e-mail addresses and URIs. EXTERNAL matches them against accounts.
 */
export function certificateNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  const cn = (cert.subject as Record<string, string | string[] | undefined> | undefined)?.CN;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) names.push(...cn);
  if (typeof cert.subjectaltname === 'string') {
    for (const { type, value } of parseSubjectAltName(cert.subjectaltname)) {
      if (type === 'DNS' || type === 'email' || type === 'URI') names.push(value);
    }
  }
  return names;
}

/** The names of the peer's certificate when it verified; empty otherwise. */
export function verifiedPeerNames(socket: TLSSocket): string[] {
  return hasVerifiedPeerCert(socket) ? certificateNames(socket.getPeerCertificate()) : [];
}
