/**
 * The IRCv3 fixture: one real InspIRCd per test file (inspircd.ts; beforeAll, stopped by PID in
 * afterAll), gateways with the IRC adapter bridging `#dev` into DEV_ROOM, and IRC users that
 * negotiate the IRCv3 caps (irc-framework asks for message-tags, server-time and batch; `user()`
 * adds echo-message and labeled-response). What a test starts stops after it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TestGateway } from './gateway.js';
import { startIrcGateway, type IrcGatewayOptions } from './irc.js';
import { ircUser, type IrcUser } from './irc-user.js';
import { startInspircd, type Inspircd, type InspircdOptions } from './inspircd.js';

export interface Ircv3Line {
  readonly command: string;
  readonly nick: string;
  readonly target: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly message: string;
}

/** An IRC user with every line it received (PRIVMSG, NOTICE, TAGMSG), tags included. */
export interface Ircv3User extends IrcUser {
  readonly tagged: Ircv3Line[];
}

export interface Ircv3Suite {
  readonly server: Inspircd;
  gateway(o?: IrcGatewayOptions): Promise<TestGateway>;
  user(nick: string, caps?: readonly string[]): Promise<Ircv3User>;
}

export function useInspircd(o: InspircdOptions = {}): Ircv3Suite {
  let server: Inspircd | undefined;
  const users: IrcUser[] = [];
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    server = await startInspircd(o);
  }, 20_000);
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const u of users.splice(0)) await u.quit();
    for (const g of gateways.splice(0)) await g.stop();
  });
  return {
    get server() {
      return server!;
    },
    async gateway(g = {}) {
      const gw = await startIrcGateway(server!.port, g);
      gateways.push(gw);
      return gw;
    },
    async user(nick, caps = ['echo-message', 'labeled-response']) {
      const u = await ircUser(server!.port, nick, caps);
      users.push(u);
      const tagged: Ircv3Line[] = [];
      u.client.on('raw', (e: { line: string; from_server: boolean }) => {
        if (!e.from_server) return;
        const m = /^(?:@(\S+) )?:([^!\s]+)\S* (PRIVMSG|NOTICE|TAGMSG) :?(\S+)(?: :?(.*))?$/.exec(
          e.line.replace(/\r?\n$/, ''),
        );
        if (!m) return;
        const tags: Record<string, string> = {};
        for (const kv of (m[1] ?? '').split(';').filter(Boolean)) {
          const i = kv.indexOf('=');
          tags[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
        }
        tagged.push({ command: m[3]!, nick: m[2]!, target: m[4]!, tags, message: m[5] ?? '' });
      });
      return Object.assign(u, { tagged });
    },
  };
}
