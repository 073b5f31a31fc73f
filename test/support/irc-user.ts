/**
 * A plain IRC user for the tests: an irc-framework client registered on the test ngircd, with
 * the lines it receives (PRIVMSG, NOTICE, ACTION) kept in order for assertions.
 */
import { Client, type IrcMessageEvent } from 'irc-framework';

export interface IrcUser {
  readonly client: Client;
  readonly nick: string;
  /** Lines received: PRIVMSG, NOTICE and ACTION, in order. */
  readonly lines: (IrcMessageEvent & { kind: string })[];
  join(channel: string): Promise<void>;
  /** Numeric replies whose line matches `pattern`, after sending `command` (raw), until `done` matches one. */
  ask(command: string, pattern: RegExp, done: RegExp): Promise<string[]>;
  quit(): Promise<void>;
}

/** A plain IRC user: an irc-framework client, registered; `caps`: IRCv3 caps to ask for too. */
export async function ircUser(port: number, nick: string, caps: readonly string[] = []): Promise<IrcUser> {
  const client = new Client();
  if (caps.length > 0) client.requestCap([...caps]);
  const lines: (IrcMessageEvent & { kind: string })[] = [];
  for (const kind of ['privmsg', 'notice', 'action'])
    client.on(kind, (e: IrcMessageEvent) => {
      if (e.nick) lines.push({ ...e, kind });
    });
  const registered = new Promise<void>((resolve, reject) => {
    client.once('registered', () => resolve());
    client.once('close', () => reject(new Error('irc user connection closed')));
  });
  client.connect({
    host: '127.0.0.1',
    port,
    nick,
    // A USER name has no brackets or braces (RFC 2812 2.3.1 `user`); a nick may.
    username: nick.replace(/[^A-Za-z0-9]/g, '') || 'user',
    gecos: nick,
    auto_reconnect: false,
    version: null,
  });
  await registered;
  return {
    client,
    nick,
    lines,
    async join(channel) {
      const joined = new Promise<void>((r) => {
        client.on('join', (e: { nick: string; channel: string }) => {
          if (e.nick === client.user.nick && e.channel.toLowerCase() === channel.toLowerCase()) r();
        });
      });
      client.join(channel);
      await joined;
    },
    ask(command, pattern, done) {
      return new Promise((resolve) => {
        const got: string[] = [];
        let finished = false;
        // irc-framework's typings here have no removeListener: the listener just goes quiet.
        client.on('raw', (e: { line: string; from_server: boolean }) => {
          if (finished || !e.from_server || !pattern.test(e.line)) return;
          got.push(e.line);
          if (done.test(e.line)) {
            finished = true;
            resolve(got);
          }
        });
        client.raw(command);
      });
    },
    async quit() {
      if (!client.connection.connected) return;
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      client.quit('bye');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 500))]);
    },
  };
}
