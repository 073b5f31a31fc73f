/**
 * What one IRC connection (the main one or a puppet) is configured with: the server, the
 * identity it registers with, and the pacing and queue bounds of its output (link.ts).
 */
import type { Header, Logger } from '../../src/index.js';

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
