/**
 * The PRIVMSG hot path (fast-privmsg.ts) against irc-framework itself: every line it takes gives
 * the event irc-framework's own handling gives (fields and values), and the lines it must leave
 * to irc-framework (tags, CTCP, other commands, odd spacing, STATUSMSG, no user@host) it leaves.
 */
import { Client } from 'irc-framework';
import { describe, expect, it } from 'vitest';
import { plainPrivmsg, privmsgFilter } from './fast-privmsg.js';

/** What irc-framework emits as `privmsg` for `line` (null when it emits none). */
function viaIrcFramework(line: string): Record<string, unknown> | null {
  const c = new Client({ ping_timeout: 0 });
  let got: Record<string, unknown> | null = null;
  c.on('privmsg', (e: Record<string, unknown>) => {
    const { reply: _reply, ...rest } = e;
    got = rest;
  });
  (c.connection as unknown as { addReadBuffer(l: string): void }).addReadBuffer(line);
  return got;
}

const TAKEN = [
  ':alice!~alice@127.0.0.1 PRIVMSG #bench :@@00000042 hello bob, how are you\r\n',
  ':alice!a@host.example PRIVMSG #chan :\r\n',
  ':alice!a@h PRIVMSG #chan :two  spaces and : colons\n',
  ':alice!a@h PRIVMSG #chan :trailing CRs\r\r\n',
  ':alice!a@h PRIVMSG #chan ::starts with a colon\r\n',
  ':alice!a!b@h PRIVMSG #chan :bang in the user\r\n',
  ':alice!a@h PRIVMSG #chan :not CTCP \x01\r\n',
  ':alice!a@h PRIVMSG #chan :ünïcödé ✓ 🎉\r\n',
  ':alice!a@h PRIVMSG #Chan-ÿ :x\r\n',
];

const LEFT = [
  '@time=2026-12-04T10:00:00.000Z :alice!a@h PRIVMSG #chan :tagged\r\n',
  ':alice!a@h PRIVMSG #chan :\x01ACTION waves\x01\r\n',
  ':alice!a@h PRIVMSG #chan :\x01VERSION\x01\r\n',
  ':alice!a@h PRIVMSG gwbot :a private line\r\n',
  ':alice!a@h PRIVMSG @#chan :STATUSMSG\r\n',
  ':alice!a@h NOTICE #chan :a notice\r\n',
  ':alice!a@h privmsg #chan :lower case command\r\n',
  ':alice!a@h PRIVMSG  #chan :two spaces\r\n',
  ':alice!a@h PRIVMSG #chan  :two spaces\r\n',
  ':alice!a@h PRIVMSG #chan word\r\n',
  ':alice PRIVMSG #chan :no user or host\r\n',
  ':alice@h PRIVMSG #chan :no user\r\n',
  ':alice!a PRIVMSG #chan :no host\r\n',
  ':!a@h PRIVMSG #chan :no nick\r\n',
  ':server.example PRIVMSG #chan :from a server\r\n',
  ':alice!a@h PRIVMSG #chan :an @ and ! in the text\r\n'.replace('!a@h', 'xa.h'),
  'PRIVMSG #chan :no source\r\n',
];

describe('plainPrivmsg (the PRIVMSG hot path)', () => {
  it.each(TAKEN)('gives what irc-framework gives for %j', (line) => {
    const e = plainPrivmsg(line);
    expect(e).not.toBeNull();
    expect({ ...e, tags: { ...e!.tags } }).toEqual(
      (({ tags, ...rest }) => ({ ...rest, tags: { ...(tags as object) } }))(viaIrcFramework(line)!),
    );
    expect(Object.getPrototypeOf(e!.tags)).toBe(null);
  });

  it.each(LEFT)('leaves %j to irc-framework', (line) => {
    expect(plainPrivmsg(line)).toBeNull();
  });

  it('emits a taken line as the client privmsg event and leaves the others', () => {
    const c = new Client({ ping_timeout: 0 });
    const seen: string[] = [];
    c.on('privmsg', (e: { message: string }) => seen.push(e.message));
    const times: unknown[] = [];
    c.on('privmsg', (e: { time?: number }) => times.push(e.time));
    const filter = privmsgFilter(c);
    expect(filter(TAKEN[0]!, 1234)).toBe(true);
    expect(filter(LEFT[0]!, 1235)).toBe(false);
    expect(seen).toEqual(['@@00000042 hello bob, how are you']);
    // The read time the transport passes is the line's time (inbound.ts lineTime).
    expect(times).toEqual([1234]);
  });
});
