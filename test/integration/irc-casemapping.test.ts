/**
 * Issue 20, IRC identity under CASEMAPPING=rfc1459. ngircd 26 always announces
 * `CASEMAPPING=ascii` (checked with the real binary), so this path runs against recorded server
 * lines: the registration burst ngircd 26.1 sends (001-005, MOTD), with the 005 token changed,
 * replayed by a scripted server on loopback to the real gateway and IRC adapter. Under rfc1459
 * `[dup]` and `{DUP}` are one nick and one URI (RFC 2812 2.2); under ascii two. The first
 * connection is told ascii, the reconnect rfc1459: the mapping follows the server.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ircAdapter } from '../../adapters/irc/index.js';
import { ircAdapterConfig } from '../support/irc.js';
import { startTestGateway } from '../support/gateway.js';
import { waitFor } from '../support/net.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';

/** ngircd 26.1's registration burst for `nick`, as recorded, with the CASEMAPPING token given. */
const burst = (nick: string, casemapping: string) => [
  `:irc.test 001 ${nick} :Welcome to the Internet Relay Network ${nick}!~cpimgw@127.0.0.1`,
  `:irc.test 002 ${nick} :Your host is irc.test, running version ngircd-26.1 (x86_64/pc/linux-gnu)`,
  `:irc.test 003 ${nick} :This server has been started Fri Dec 04 2026 at 18:04:36 (UTC)`,
  `:irc.test 004 ${nick} irc.test ngircd-26.1 abBcCFiIoqrRswx abehiIklmMnoOPqQrRstvVz`,
  `:irc.test 005 ${nick} RFC2812 IRCD=ngIRCd CHARSET=UTF-8 CASEMAPPING=${casemapping} PREFIX=(qaohv)~&@%+ CHANTYPES=#&+ CHANMODES=beI,k,l,imMnOPQRstVz CHANLIMIT=#&+:10 :are supported on this server`,
  `:irc.test 005 ${nick} CHANNELLEN=50 NICKLEN=30 TOPICLEN=490 AWAYLEN=127 KICKLEN=400 MODES=5 MAXLIST=beI:50 EXCEPTS=e INVEX=I PENALTY FNC :are supported on this server`,
  `:irc.test 375 ${nick} :- irc.test message of the day`,
  `:irc.test 372 ${nick} :- test`,
  `:irc.test 376 ${nick} :End of MOTD command`,
];

/** A scripted server: registration, PING, JOIN; keeps what the client sent. */
function scriptedServer(casemappings: readonly string[]) {
  const received: string[] = [];
  const sockets: Socket[] = [];
  let connection = 0;
  const server: Server = createServer((s) => {
    const casemapping = casemappings[Math.min(connection++, casemappings.length - 1)]!;
    sockets.push(s);
    let nick = '';
    let buf = '';
    const send = (l: string) => s.write(l + '\r\n');
    s.on('data', (d) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        received.push(line);
        const [cmd, arg] = line.split(' ');
        if (cmd === 'CAP' && arg === 'LS') send(':irc.test CAP * LS :');
        else if (cmd === 'NICK') nick = line.split(' ')[1]!;
        else if (cmd === 'USER') burst(nick, casemapping).forEach(send);
        else if (cmd === 'PING') send(`:irc.test PONG irc.test :${line.split(':')[1] ?? ''}`);
        else if (cmd === 'JOIN') {
          send(`:${nick}!~cpimgw@127.0.0.1 JOIN :${arg}`);
          send(`:irc.test 366 ${nick} ${arg} :End of NAMES list`);
        }
      }
    });
    s.on('error', () => undefined);
  });
  return {
    server,
    received,
    /** A line from the server to the client of the latest connection. */
    say: (line: string) => sockets.at(-1)!.write(line + '\r\n'),
    dropLatest: () => sockets.at(-1)!.destroy(),
    connections: () => connection,
  };
}

describe('IRC CASEMAPPING=rfc1459, against recorded ngircd lines', () => {
  const irc = scriptedServer(['ascii', 'rfc1459']);
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => irc.server.listen(0, '127.0.0.1', r));
    port = (irc.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    irc.server.close();
  });

  it('maps [dup] and {DUP} to one URI under rfc1459 and two under ascii, after a reconnect too', async () => {
    const gw = await startTestGateway({
      adapterDefinitions: [ircAdapter as never],
      logLevel: 'warn',
      // No channel room names gw.test as the gateway's own domain: relayNames does.
      config: {
        adapters: [ircAdapterConfig(port, { relayNames: { localDomains: ['gw.test'] } })],
        rooms: [],
      },
    });
    try {
      const got = await listenAs(gw, 'bob');
      const line = (from: string, text: string) =>
        irc.say(`:${from}!~u@127.0.0.1 PRIVMSG gwbot :bob@gw.test: ${text}`);
      // First connection: ascii.
      line('[dup]', 'one');
      line('{DUP}', 'two');
      await waitFor(() => got.length >= 2, 5000, 'two lines');
      // The reconnect reaches a server that says rfc1459.
      irc.dropLatest();
      await waitFor(() => irc.connections() === 2 && gw.gateway.adapters[0]!.status === 'online', 10_000);
      await waitFor(() => irc.received.filter((l) => l.startsWith('USER')).length === 2, 5000);
      line('[dup]', 'three');
      line('{DUP}', 'four');
      await waitFor(() => got.length >= 4, 5000, 'four lines');
      expect(got.map((c) => h(c.headers, 'Sender'))).toEqual([
        'im:%22%5Bdup%5D%22@irc.test',
        'im:%7Bdup%7D@irc.test',
        'im:%7Bdup%7D@irc.test',
        'im:%7Bdup%7D@irc.test',
      ]);
      // A reply to that URI goes to the one nick the server knows by both spellings.
      const bob = await gw.client('bob');
      const r = await sendText(bob, 'im:bob@gw.test', 'im:%7Bdup%7D@irc.test', 'back to you');
      expect(r.status).toBe('ok');
      expect(irc.received.filter((l) => l.startsWith('PRIVMSG {dup}'))).toEqual([
        'PRIVMSG {dup} :<bob> back to you',
      ]);
      // The rest of the 005 lines: NICKLEN=30 admits a 20-character nick; CHANTYPES=#&+ makes
      // `!dev` no channel (RFC 2812's default `#&+!` would), and no nick either.
      const long = await sendText(bob, 'im:bob@gw.test', 'im:abcdefghijklmnopqrst@irc.test', 'hi');
      expect(long.status).toBe('ok');
      expect(irc.received).toContain('PRIVMSG abcdefghijklmnopqrst :<bob> hi');
      const bang = await sendText(bob, 'im:bob@gw.test', 'im:%21dev@irc.test', 'hi');
      expect(h(bang.headers, 'Error-Type')).toBe('target-not-found');
    } finally {
      await gw.stop();
    }
  });
});
