/**
 * CAP negotiation (caps.ts, ircv3.net/specs/extensions/capability-negotiation) against server
 * lines replayed on a loopback socket: InspIRCd offers no draft/multiline, draft/chathistory
 * or draft/message-redaction, so a server that does is played from a CAP LS 302 answer in the
 * form Ergo 2.x sends (two lines, `*` on the first; values after `=`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CAP, capsOf, NO_CAPS, tagsNow, wantedCaps } from './caps.js';
import { IrcLink } from './link.js';

const ERGO_LS = [
  ':irc.test CAP * LS * :account-notify account-tag away-notify batch cap-notify chghost draft/chathistory draft/event-playback draft/message-redaction draft/multiline=max-bytes=4096,max-lines=100',
  ':irc.test CAP * LS :echo-message extended-join invite-notify labeled-response message-tags multi-prefix server-time setname userhost-in-names',
];
const NGIRCD_LS = [':irc.test CAP * LS :multi-prefix'];

let server: Server | undefined;
let socket: Socket | undefined;
let link: IrcLink | undefined;
afterEach(async () => {
  link?.stop();
  link = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A server that answers CAP LS with `ls`, ACKs every CAP REQ, and welcomes after CAP END. */
async function replay(ls: readonly string[], sent: string[]): Promise<number> {
  server = createServer((s: Socket) => {
    socket = s;
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        sent.push(line);
        if (line.startsWith('CAP LS')) s.write(ls.map((l) => l + '\r\n').join(''));
        else if (line.startsWith('CAP REQ :')) s.write(`:irc.test CAP * ACK :${line.slice(9)}\r\n`);
        else if (line === 'CAP END') s.write(':irc.test 001 gwbot :Welcome gwbot!gw@127.0.0.1\r\n');
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server!.address() as { port: number }).port;
}

function connect(port: number, caps: string[]): Promise<IrcLink> {
  const l = new IrcLink({
    host: '127.0.0.1',
    port,
    tls: false,
    rejectUnauthorized: true,
    nick: 'gwbot',
    altNicks: [],
    username: 'gw',
    realname: 'gw',
    reconnect: { minDelayMs: 1000, maxDelayMs: 1000, jitter: 0 },
    flood: { enabled: false, burst: 10, linesPerSecond: 10 },
    queue: { maxLines: 10, maxAgeMs: 1000 },
    channels: [],
    caps,
    log: pino({ level: 'silent' }),
    okHeaders: [],
  });
  link = l;
  return new Promise((resolve) => {
    l.onState = (s) => s === 'ready' && resolve(l);
    l.start();
  });
}

describe('IRCv3 caps a connection negotiates', () => {
  it('asks for the draft caps when offered and reads their values (multiline limits)', async () => {
    const sent: string[] = [];
    const l = await connect(await replay(ERGO_LS, sent), wantedCaps(true, true));
    const req = sent
      .find((s) => s.startsWith('CAP REQ'))!
      .slice(9)
      .split(' ');
    for (const c of [
      CAP.messageTags,
      CAP.echoMessage,
      CAP.labeledResponse,
      CAP.serverTime,
      CAP.batch,
      CAP.multiline,
      CAP.redaction,
      CAP.chathistory,
    ])
      expect(req).toContain(c);
    expect(l.caps).toEqual({
      messageTags: true,
      echoMessage: true,
      serverTime: true,
      labeledResponse: true,
      batch: true,
      multiline: { maxBytes: 4096, maxLines: 100 },
      redaction: true,
      chathistory: true,
    });
  });

  it('follows CAP DEL (cap-notify): a cap the server withdraws is off for this connection', async () => {
    const sent: string[] = [];
    const l = await connect(await replay(ERGO_LS, sent), wantedCaps(true, true));
    expect(l.caps.echoMessage).toBe(true);
    socket!.write(':irc.test CAP gwbot DEL :echo-message draft/multiline\r\n');
    socket!.write('PING :after-del\r\n');
    await new Promise<void>((r) => l.client.on('ping', () => r()));
    expect(l.caps.echoMessage).toBe(false);
    expect(l.caps.multiline).toBeNull();
    expect(l.caps.messageTags).toBe(true);
  });

  it('asks for no echo-message without a store to keep msgids in', async () => {
    const sent: string[] = [];
    const l = await connect(await replay(ERGO_LS, sent), wantedCaps(false, false));
    expect(sent.find((s) => s.startsWith('CAP REQ'))).not.toMatch(/echo-message|labeled-response/);
    expect(l.caps.echoMessage).toBe(false);
    expect(l.caps.messageTags).toBe(true);
  });

  it('negotiates nothing of IRCv3 on ngircd (multi-prefix only)', async () => {
    const sent: string[] = [];
    const l = await connect(await replay(NGIRCD_LS, sent), wantedCaps(true, true));
    expect(sent).toContain('CAP REQ :multi-prefix');
    expect(l.caps).toEqual(NO_CAPS);
  });

  it('reads draft/multiline limits, and takes no multiline without max-bytes or batch', () => {
    const values = new Map([[CAP.multiline, 'max-bytes=2048']]);
    expect(capsOf([CAP.multiline, CAP.batch], values).multiline).toEqual({ maxBytes: 2048, maxLines: null });
    expect(capsOf([CAP.multiline], values).multiline).toBeNull();
    expect(capsOf([CAP.multiline, CAP.batch], new Map([[CAP.multiline, '']])).multiline).toBeNull();
    // labeled-response needs batch (extensions/labeled-response).
    expect(capsOf([CAP.labeledResponse], new Map()).labeledResponse).toBe(false);
  });

  it("sends a queued line's tags only as the caps are when it goes out", () => {
    const tags = 'label=gw1;+draft/reply=090~1~3';
    expect(tagsNow(tags, [CAP.messageTags, CAP.echoMessage, CAP.labeledResponse])).toBe(tags);
    expect(tagsNow(tags, [CAP.messageTags])).toBe('+draft/reply=090~1~3');
    expect(tagsNow('label=gw1', [CAP.messageTags])).toBe('');
    expect(tagsNow(tags, ['multi-prefix'])).toBe('');
  });
});
