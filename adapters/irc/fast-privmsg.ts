/**
 * The hot path of IRC → hub (issue 18): a plain channel PRIVMSG, the line a busy channel is made
 * of, skips irc-framework's line handling and is emitted as the same `privmsg` event on the
 * client, so every listener (inbound.ts, echoes.ts, ircv3.ts) gets what irc-framework would give.
 *
 * Why: measured alone (one process, 200,000 lines of 90 octets, Node 20), irc-framework takes
 * ~5.9 µs per PRIVMSG line from `addReadBuffer` to the `privmsg` listener: its parser 0.45 µs,
 * the event chain (a `raw` event copied through two `emit` wrappers, the raw middleware, the
 * command object with a lodash clone of the tags, the handler's event, its `all` wrapper with a
 * `reply` closure and a lodash `extend` copy for a `message` event, the parsed middleware) ~3 µs,
 * and clearing and re-arming its ping-timeout timer on every line ~2.3 µs. This split costs
 * ~0.06 µs; the emit below ~0.3 µs.
 *
 * Only lines whose meaning is certain take it: no message tags (a tagged line may carry a
 * batch, server-time, msgid, a reply or a label: irc-framework reads those), a `nick!user@host`
 * source, the command `PRIVMSG` as written, single spaces, a `#` channel target (never a
 * STATUSMSG prefix), a trailing parameter, and no CTCP. Anything else goes to irc-framework
 * unchanged. The adapter's `raw` listeners (numerics, 001, REDACT, FAIL REDACT, labelled
 * batches) never match such a line, so skipping the `raw` event changes nothing for them.
 */
import type { Client } from 'irc-framework';

/** The `privmsg` event irc-framework emits for an untagged line (messaging.js, PRIVMSG). */
export interface PlainPrivmsg {
  readonly from_server: false;
  readonly nick: string;
  readonly ident: string;
  readonly hostname: string;
  readonly target: string;
  readonly group: undefined;
  readonly message: string;
  readonly tags: Record<string, string>;
  /** undefined as irc-framework gives it; the filter sets the read time (lineTime reads it). */
  readonly time: number | undefined;
  readonly account: undefined;
  readonly batch: undefined;
}

const NO_TAGS = Object.freeze(Object.create(null) as Record<string, string>);
const COLON = 0x3a;
const CR = 0x0d;
const LF = 0x0a;
const CTCP = 0x01;
/** Single spaces, the command as written, a `#` channel (never a STATUSMSG prefix). */
const PRIVMSG = ' PRIVMSG #';

/**
 * `line` (with its line ending) as a plain channel PRIVMSG, or null when irc-framework must read
 * it. `time`: when the line was read (undefined, as irc-framework leaves an untagged line's).
 */
export function plainPrivmsg(line: string, time?: number): PlainPrivmsg | null {
  if (line.charCodeAt(0) !== COLON) return null;
  const sp1 = line.indexOf(' ');
  if (sp1 < 0 || !line.startsWith(PRIVMSG, sp1)) return null;
  // irc-framework's parseMask: nick before the first '!', user up to the first '@', host after.
  const bang = line.indexOf('!');
  const at = line.indexOf('@');
  if (bang < 2 || at < bang || at > sp1) return null;
  const tStart = sp1 + 9; // after " PRIVMSG "
  const sp3 = line.indexOf(' ', tStart);
  if (sp3 < 0 || line.charCodeAt(sp3 + 1) !== COLON) return null;
  // irc-framework strips every CR and LF at the ends of the line.
  let end = line.length;
  while (end > sp3 + 2 && (line.charCodeAt(end - 1) === LF || line.charCodeAt(end - 1) === CR)) end--;
  if (line.charCodeAt(sp3 + 2) === CTCP) return null;
  return {
    from_server: false,
    nick: line.slice(1, bang),
    ident: line.slice(bang + 1, at),
    hostname: line.slice(at + 1, sp1),
    target: line.slice(tStart, sp3),
    group: undefined,
    message: line.slice(sp3 + 2, end),
    // irc-framework's tags of an untagged line: a lodash clone of a prototype-less object. One
    // shared frozen one here (issue 18: a prototype-less object is a dictionary, ~185 octets per
    // line); no listener writes to a line's tags, and one that tried would throw, not share.
    tags: NO_TAGS,
    time,
    account: undefined,
    batch: undefined,
  };
}

/**
 * The transport's line filter for `client` (tls-transport.ts `line_filter`): true when the line
 * was a plain channel PRIVMSG and went out as the client's `privmsg` event. `now` is the read
 * time of the chunk the line came in (one clock read per chunk, not two per line: issue 18); the
 * event carries it as its time, which is what inbound.ts `lineTime` would otherwise read from the
 * clock while handling the line, in the same turn. irc-framework restarts its ping timeout on
 * every line it handles; here at most once a second (a timeout of 120 s then fires at most a
 * second early; its PINGs every 30 s restart it anyway).
 */
export function privmsgFilter(client: Client): (line: string, now: number) => boolean {
  let restarted = 0;
  return (line, now) => {
    const e = plainPrivmsg(line, now);
    if (e === null) return false;
    if (now - restarted >= 1000) {
      restarted = now;
      client.resetPingTimeoutTimer();
    }
    client.emit('privmsg', e);
    return true;
  };
}
