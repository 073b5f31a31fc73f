/**
 * The part of irc-framework 4.14 (which ships no types) this adapter and its tests use. Event
 * payload shapes follow src/commands/handlers/*.js of that version.
 */
declare module 'irc-framework' {
  export interface IrcMessageEvent {
    nick: string;
    ident: string;
    hostname: string;
    target: string;
    message: string;
    /** Milliseconds since the epoch, from the IRCv3 `time` tag (server-time), when present. */
    time?: number;
    tags: Record<string, string>;
    from_server: boolean;
  }

  export interface IrcConnectOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    password?: string;
    tls?: boolean;
    rejectUnauthorized?: boolean;
    ca?: string;
    client_certificate?: { private_key: string; certificate: string };
    account?: { account: string; password: string };
    sasl_mechanism?: string;
    sasl_disconnect_on_fail?: boolean;
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    encoding?: string;
    version?: string | null;
    enable_echomessage?: boolean;
    message_max_length?: number;
    /** The transport class (default: src/transports/net.js). */
    transport?: new (options: IrcConnectOptions) => unknown;
    /** Ours (tls-transport.ts): a line it returns true for is not handed to irc-framework; `now`: the chunk's read time. */
    line_filter?: (line: string, now: number) => boolean;
  }

  export interface IrcNetwork {
    name: string;
    options: Record<string, unknown>;
    cap: { enabled: string[]; available: Map<string, string>; isEnabled(name: string): boolean };
    supports(name: string): unknown;
  }

  export interface IrcUserListEntry {
    nick: string;
    ident?: string;
    hostname?: string;
    modes?: string[];
  }

  export interface IrcWhoEntry {
    nick: string;
    ident: string;
    hostname: string;
    channel: string;
    away: boolean;
  }

  export class Client {
    constructor(options?: Partial<IrcConnectOptions>);
    readonly user: { nick: string; username: string; host: string; away: boolean };
    readonly network: IrcNetwork;
    readonly connection: { connected: boolean; end(data?: string): void };
    connect(options?: IrcConnectOptions): void;
    raw(line: string): void;
    say(target: string, message: string): void;
    notice(target: string, message: string): void;
    action(target: string, message: string): void;
    join(channel: string, key?: string): void;
    part(channel: string, message?: string): void;
    quit(message?: string): void;
    changeNick(nick: string): void;
    requestCap(cap: string | string[]): void;
    on(event: string, listener: (event: never) => void): this;
    once(event: string, listener: (event: never) => void): this;
    removeAllListeners(event?: string): this;
    emit(event: string, ...args: unknown[]): boolean;
    /** Restarts the ping timeout (client.js startPingTimeoutTimer; a no-op before it runs). */
    resetPingTimeoutTimer(): void;
  }
}
