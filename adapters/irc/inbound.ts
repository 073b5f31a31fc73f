/**
 * IRC → hub (design.md part 2 step 1): PRIVMSG, NOTICE and CTCP ACTION become IMTP `send`s of
 * `message/cpim`. A channel message goes to the channel's room with Sender = the channel's URI
 * (a room member) and Orig-Sender = the nick's URI (src/router/rooms.ts: the origin member gets
 * no copy). A private message goes to the hub user named in front of it (relay mode: "bob@gw.test:
 * hi"), to the nick's last correspondent, or to the owner of the puppet it was sent to.
 */
import type { AdapterContext, Answer, ImAddress } from '../../src/index.js';
import { getHeader } from '../../src/index.js';
import { buildInboundPayload, CPIM_TYPE } from './body.js';
import type { IrcChannelConfig, IrcConfig } from './config.js';
import type { IrcLink } from './link.js';
import { foldCase, ircToAddress, isChannelName, tryInbox } from './translate.js';

export interface IrcLineEvent {
  readonly kind: 'privmsg' | 'notice' | 'action';
  readonly nick: string;
  readonly target: string;
  readonly message: string;
  readonly time?: number;
}

export interface InboundContext {
  readonly ctx: AdapterContext;
  readonly config: IrcConfig;
  readonly main: IrcLink;
  readonly channel: (folded: string) => IrcChannelConfig | undefined;
  readonly isOwn: (nick: string) => boolean;
  readonly lastCorrespondent: Map<string, ImAddress>;
}

// A hub address written in front of a private message: "im:bob@gw.test hi", "bob@gw.test: hi".
const ADDRESSED = /^(?:im:)?([^\s@:<>]+@[A-Za-z0-9.-]+):?\s+([\s\S]*)$/;

/** The text as a chat line: CTCP ACTION as "/me …" (README "Formatting"). */
const lineText = (e: IrcLineEvent) => (e.kind === 'action' ? `/me ${e.message}` : e.message);

function tell(link: IrcLink, nick: string, text: string): void {
  // RFC 2812 3.3.2: automatic replies are NOTICEs, never answered themselves.
  void link.send(nick, 'NOTICE', [text.replace(/[\r\n]+/g, ' ').slice(0, 400)], false);
}

function describe(a: Answer): string {
  return `${getHeader(a.headers, 'Error-Type') ?? 'error'}${
    getHeader(a.headers, 'Error-Description') ? `: ${getHeader(a.headers, 'Error-Description')}` : ''
  }`;
}

async function send(
  ic: InboundContext,
  m: {
    sender: ImAddress;
    origSender?: ImAddress;
    inbox: ImAddress;
    from: ImAddress;
    to: ImAddress;
    e: IrcLineEvent;
  },
): Promise<Answer> {
  const payload = buildInboundPayload({
    from: m.from.uri,
    to: m.to.uri,
    text: lineText(m.e),
    // IRCv3 server-time when the server sent it, else our clock.
    date: m.e.time !== undefined && Number.isFinite(m.e.time) ? new Date(m.e.time) : new Date(),
  });
  return ic.ctx.hub.send({
    sender: m.sender.uri,
    inbox: m.inbox.uri,
    payload,
    contentType: CPIM_TYPE,
    ...(m.origSender ? { headers: [['Orig-Sender', m.origSender.uri]] } : {}),
  });
}

/** A line the main connection received. */
export async function onMainLine(ic: InboundContext, e: IrcLineEvent): Promise<void> {
  const { config, main } = ic;
  if (!e.nick || ic.isOwn(e.nick)) return; // server notices, and our own lines echoed back
  const info = main.info;
  const nickUri = ircToAddress(e.nick, config.domain, info);
  if (isChannelName(e.target, info)) {
    const chan = ic.channel(foldCase(e.target, info.casemapping));
    const room = tryInbox(chan?.room);
    if (!chan || room === null) return;
    const chanUri = ircToAddress(chan.name, config.domain, info);
    const a = await send(ic, {
      sender: chanUri,
      origSender: nickUri,
      inbox: room,
      from: nickUri,
      to: chanUri,
      e,
    });
    if (a.status === 'error')
      ic.ctx.log.debug({ channel: chan.name, error: describe(a) }, 'room refused a line');
    return;
  }
  // A private message to the gateway's nick (relay mode).
  let text = e.message;
  let inbox: ImAddress | null = null;
  const m = ADDRESSED.exec(text);
  if (m) {
    inbox = tryInbox(m[1]);
    if (inbox !== null) text = m[2]!;
  }
  inbox ??= ic.lastCorrespondent.get(foldCase(e.nick, info.casemapping)) ?? null;
  if (inbox === null) {
    if (e.kind === 'privmsg')
      tell(main, e.nick, `Write "user@domain: message" to reach someone through this gateway.`);
    return;
  }
  const a = await send(ic, { sender: nickUri, inbox, from: nickUri, to: inbox, e: { ...e, message: text } });
  if (a.status === 'error' && e.kind !== 'notice')
    tell(main, e.nick, `Not delivered to ${inbox.uri}: ${describe(a)}`);
  else if (a.status === 'ok') ic.lastCorrespondent.set(foldCase(e.nick, info.casemapping), inbox);
}

/** A line a puppet received: private ones go to the puppet's owner. */
export async function onPuppetLine(
  ic: InboundContext,
  puppet: IrcLink,
  owner: ImAddress,
  e: IrcLineEvent,
): Promise<void> {
  const info = ic.main.info;
  if (!e.nick || ic.isOwn(e.nick) || isChannelName(e.target, info)) return;
  const nickUri = ircToAddress(e.nick, ic.config.domain, info);
  const a = await send(ic, { sender: nickUri, inbox: owner, from: nickUri, to: owner, e });
  if (a.status === 'error' && e.kind !== 'notice') tell(puppet, e.nick, `Not delivered: ${describe(a)}`);
}
