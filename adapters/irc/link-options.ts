/**
 * What one IRC connection (the main one or a puppet) is configured with: the server, the
 * identity it registers with, and the pacing and queue bounds of its output (link.ts).
 */
import type { Header, Logger } from '../../src/index.js';
import type { IrcConnectOptions } from 'irc-framework';
import { CaTlsTransport } from './tls-transport.js';

export interface LinkOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly rejectUnauthorized: boolean;
  readonly ca?: string;
  readonly password?: string;
  readonly nick: string;
  /** Further nicks to try, in order, when the nick is in use; then `nick` + digits. */
  readonly altNicks: readonly string[];
  readonly username: string;
  readonly realname: string;
  readonly sasl?:
    | { readonly mechanism: 'PLAIN'; readonly account: string; readonly password: string }
    | { readonly mechanism: 'EXTERNAL'; readonly cert: string; readonly key: string };
  readonly nickserv?: { password: string; service: string; confirmTimeoutMs: number; confirmPattern: string };
  readonly reconnect: { minDelayMs: number; maxDelayMs: number; jitter: number };
  readonly flood: { enabled: boolean; burst: number; linesPerSecond: number };
  readonly queue: { maxLines: number; maxAgeMs: number };
  readonly channels: readonly { name: string; key?: string }[];
  readonly caps: readonly string[];
  readonly log: Logger;
  /** Headers of an ok answer (Unreliable: <network domain>). */
  readonly okHeaders: readonly Header[];
}

/**
 * irc-framework's `connect()` options for a connection (reconnects are ours: link.ts);
 * `lineFilter`: the transport's hot path (fast-privmsg.ts).
 */
export function connectOptions(
  o: LinkOptions,
  lineFilter?: (line: string, now: number) => boolean,
): IrcConnectOptions {
  const sasl = o.sasl;
  return {
    ...(lineFilter ? { line_filter: lineFilter } : {}),
    host: o.host,
    port: o.port,
    nick: o.nick,
    username: o.username,
    gecos: o.realname,
    tls: o.tls,
    rejectUnauthorized: o.rejectUnauthorized,
    ...(o.ca ? { ca: o.ca } : {}),
    transport: CaTlsTransport,
    ...(o.password ? { password: o.password } : {}),
    ...(sasl?.mechanism === 'PLAIN' ? { account: { account: sasl.account, password: sasl.password } } : {}),
    ...(sasl?.mechanism === 'EXTERNAL'
      ? {
          sasl_mechanism: 'EXTERNAL',
          client_certificate: { private_key: sasl.key, certificate: sasl.cert },
        }
      : {}),
    sasl_disconnect_on_fail: true,
    auto_reconnect: false,
    encoding: 'utf8',
    version: null,
    ping_interval: 30,
    ping_timeout: 120,
  };
}
