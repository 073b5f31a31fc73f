/**
 * IRC → hub (docs/architecture.md part 2 step 1): PRIVMSG, NOTICE and CTCP ACTION become IMTP `send`s of
 * `message/cpim`. A channel message goes to the channel's room with Sender = the channel's URI
 * (a room member) and Orig-Sender = the nick's URI (src/router/rooms.ts: the origin member gets
 * no copy). A private message goes to the hub user named in front of it (relay mode: "bob@gw.test:
 * hi"), to the nick's last correspondent, or to the owner of the puppet it was sent to.
 */
import type { AdapterContext, Answer, BoundedCache, Header, ImAddress, MessageIds } from '../../src/index.js';
import { getHeader, newMessageId, toPres } from '../../src/index.js';
import { CPIM_TYPE, type InboundPayloadBuilder } from './body.js';
import type { IrcChannelConfig, IrcConfig } from './config.js';
import type { IrcLink } from './link.js';
import { presenceQuery, queryPresence } from './presence-query.js';
import { inboundRelations, type IrcRelations } from './relations.js';
import type { ReplyAuthors } from './reply-quote.js';
import { foldCase, ircToAddress, isChannelName, tryInbox, type IrcServerInfo } from './translate.js';

export type IrcLineKind = 'privmsg' | 'notice' | 'action';

/** A line as irc-framework reports it; the kind is the event's name. */
export interface IrcLineEvent {
  readonly nick: string;
  readonly target: string;
  readonly message: string;
  readonly time?: number;
  /** IRCv3 message tags (irc-framework passes them); `msgid` is the network's message id. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The batch the line came in (irc-framework); a multiline one is one message (multiline.ts). */
  readonly batch?: { readonly id: string; readonly type: string };
}

/** A nick's or channel's folded name and URI (docs/architecture.md part 6), computed once per name. */
export interface IrcName {
  readonly folded: string;
  readonly address: ImAddress;
  /** `Orig-Sender: <address>`, for the sends of a channel line by this nick. */
  readonly origSender: readonly Header[];
}

/** A channel target of lines: its configuration and room, or null when it is not bridged. */
interface BridgedChannel {
  readonly room: ImAddress;
  readonly address: ImAddress;
  readonly name: string;
}

const NAME_CACHE_SIZE = 4096;

/**
 * Folded names and URIs of nicks and channels by the name as the server wrote it, and the bridged
 * channel of each channel target. Every entry depends on the server's CASEMAPPING only (and the
 * fixed domain and channel list), so the caches empty when it changes; bounded: cleared when full.
 */
export class IrcNames {
  private casemapping = '';
  private readonly names = new Map<string, IrcName>();
  private readonly channels = new Map<string, BridgedChannel | null>();

  constructor(
    private readonly domain: string,
    private readonly channelList: readonly IrcChannelConfig[],
  ) {}

  private check(info: IrcServerInfo): void {
    if (info.casemapping === this.casemapping) return;
    this.casemapping = info.casemapping;
    this.clear();
  }

  get(name: string, info: IrcServerInfo): IrcName {
    this.check(info);
    let n = this.names.get(name);
    if (n === undefined) {
      const address = ircToAddress(name, this.domain, info);
      n = { folded: foldCase(name, info.casemapping), address, origSender: [['Orig-Sender', address.uri]] };
      if (this.names.size >= NAME_CACHE_SIZE) this.names.clear();
      this.names.set(name, n);
    }
    return n;
  }

  /** The bridged channel a line to `target` (a channel name) goes to, or null. */
  channel(target: string, info: IrcServerInfo): BridgedChannel | null {
    this.check(info);
    let c = this.channels.get(target);
    if (c === undefined) {
      const folded = foldCase(target, info.casemapping);
      const chan = this.channelList.find((x) => foldCase(x.name, info.casemapping) === folded);
      const room = tryInbox(chan?.room);
      c =
        !chan || room === null
          ? null
          : { room, address: ircToAddress(chan.name, this.domain, info), name: chan.name };
      if (this.channels.size >= NAME_CACHE_SIZE) this.channels.clear();
      this.channels.set(target, c);
    }
    return c;
  }

  /** A nick changed (NICK): its entries go (they would be rebuilt the same; this keeps the cache small). */
  forget(name: string): void {
    this.names.delete(name);
  }

  clear(): void {
    this.names.clear();
    this.channels.clear();
  }
}

export interface InboundContext {
  readonly ctx: AdapterContext;
  readonly config: IrcConfig;
  readonly main: IrcLink;
  readonly isOwn: (nick: string) => boolean;
  readonly lastCorrespondent: BoundedCache<string, ImAddress>;
  readonly names: IrcNames;
  readonly payloads: InboundPayloadBuilder;
  /** IRCv3 `msgid` ↔ the gateway's Message-ID (issue 15, src/store/message-ids.ts). */
  readonly messageIds?: MessageIds;
  /**
   * Issue 17: puts a line's relations (relations.ts) into its CPIM payload (the core codec's `Msg`
   * headers); without it a reply goes on as a plain line and a reaction is dropped.
   */
  readonly withRelations?: ((payload: Uint8Array, r: IrcRelations) => Uint8Array) | undefined;
  /** Who wrote each relayed line, for the plain-IRC reply prefix and quote (reply-quote.ts). */
  readonly authors?: ReplyAuthors | undefined;
}

// A hub address written in front of a private message: "im:bob@gw.test hi", "bob@gw.test: hi".
const ADDRESSED = /^(?:im:)?([^\s@:<>]+@[A-Za-z0-9.-]+):?\s+([\s\S]*)$/;

/** The text as a chat line: CTCP ACTION as "/me …" (docs/adapters/irc.md "Formatting"). */
const lineText = (kind: IrcLineKind, message: string) => (kind === 'action' ? `/me ${message}` : message);

function tell(link: IrcLink, nick: string, text: string): void {
  // RFC 2812 3.3.2: automatic replies are NOTICEs, never answered themselves.
  void link.send(nick, 'NOTICE', [text.replace(/[\r\n]+/g, ' ').slice(0, 400)], false);
}

function describe(a: Answer): string {
  return `${getHeader(a.headers, 'Error-Type') ?? 'error'}${
    getHeader(a.headers, 'Error-Description') ? `: ${getHeader(a.headers, 'Error-Description')}` : ''
  }`;
}

/** The line's time: IRCv3 server-time when the server sent it, else our clock. */
export const lineTime = (e: IrcLineEvent): number =>
  e.time !== undefined && Number.isFinite(e.time) ? e.time : Date.now();

/**
 * The extra headers of a line's send. Issue 15: a line with an IRCv3 `msgid` tag keeps one
 * gateway Message-ID, also when the server sends it again (chathistory, a replay after a
 * reconnect); servers without message tags (ngircd) give none, and the router adds one.
 */
export function lineHeaders(
  origSender: readonly Header[] | undefined,
  e: IrcLineEvent,
  messageIds: MessageIds | undefined,
  assign = false,
): readonly Header[] | undefined {
  const msgid = e.tags?.['msgid'];
  if (msgid === undefined || messageIds === undefined)
    // `assign` (issue 17, plain IRC): the adapter names the line itself, so that a reply to it
    // finds its author (the router would add an id the adapter never learns).
    return assign ? withId(origSender, newMessageId()) : origSender;
  return withId(origSender, messageIds.inbound(msgid));
}

/** `base` (at most Orig-Sender) and a Message-ID last, in one array (a line's hot path). */
function withId(base: readonly Header[] | undefined, id: string): Header[] {
  const out: Header[] = base === undefined ? [] : base.slice();
  out.push(['Message-ID', id]);
  return out;
}

function send(
  ic: InboundContext,
  sender: ImAddress,
  origSender: readonly Header[] | undefined,
  inbox: ImAddress,
  from: ImAddress,
  to: ImAddress,
  kind: IrcLineKind,
  e: IrcLineEvent,
  message: string,
  given?: IrcRelations,
): Promise<Answer> {
  let payload = ic.payloads.build(from.uri, to.uri, lineText(kind, message), lineTime(e));
  const relations = ic.withRelations && (given ?? inboundRelations(e.tags, ic.messageIds));
  if (relations) payload = ic.withRelations!(payload, relations);
  const headers = lineHeaders(origSender, e, ic.messageIds, ic.authors !== undefined);
  // With authors, lineHeaders put the line's Message-ID last.
  const id = ic.authors && headers && headers[headers.length - 1]![1];
  // A silent reaction or deletion is nobody's latest line (reply-quote.ts).
  if (id && message !== '') ic.authors!.note(id, e.nick, message);
  return ic.ctx.hub.send(
    headers === undefined
      ? { sender: sender.uri, inbox: inbox.uri, payload, contentType: CPIM_TYPE }
      : { sender: sender.uri, inbox: inbox.uri, payload, contentType: CPIM_TYPE, headers },
  );
}

/** A line the main connection received. */
export async function onMainLine(ic: InboundContext, e: IrcLineEvent, kind: IrcLineKind): Promise<void> {
  const main = ic.main;
  if (!e.nick || ic.isOwn(e.nick)) return; // server notices, and our own lines echoed back
  if (e.batch?.type === 'draft/multiline') return; // the batch as one message, ircv3.ts
  const info = main.info;
  const nick = ic.names.get(e.nick, info);
  const nickUri = nick.address;
  if (isChannelName(e.target, info)) {
    const chan = ic.names.channel(e.target, info);
    if (chan === null) return;
    const chanUri = chan.address;
    const a = await send(ic, chanUri, nick.origSender, chan.room, nickUri, chanUri, kind, e, e.message);
    if (a.status === 'error') {
      // Nobody on the other side is no failure; any other refusal is logged and the author told
      // (docs/architecture.md part 8), by NOTICE and never in answer to a NOTICE (RFC 2812 3.3.2).
      if (getHeader(a.headers, 'Error-Type') === 'no-listeners')
        ic.ctx.log.debug({ channel: chan.name, error: describe(a) }, 'room had nobody for a line');
      else {
        ic.ctx.log.warn({ channel: chan.name, nick: e.nick, error: describe(a) }, 'room refused a line');
        if (kind !== 'notice') tell(main, e.nick, `Not delivered to ${chan.name}: ${describe(a)}`);
      }
    }
    return;
  }
  // A private message to the gateway's nick (relay mode); `!presence ADDRESS` asks for presence.
  const asked = kind === 'privmsg' ? presenceQuery(e.message) : null;
  if (asked !== null) {
    const reply =
      asked === ''
        ? 'Write "!presence user@domain".'
        : await queryPresence(ic.ctx, toPres(nickUri).uri, asked);
    return tell(main, e.nick, reply);
  }
  let text = e.message;
  let inbox: ImAddress | null = null;
  const m = ADDRESSED.exec(text);
  if (m) {
    inbox = tryInbox(m[1]);
    if (inbox !== null) text = m[2]!;
  }
  inbox ??= ic.lastCorrespondent.get(nick.folded) ?? null;
  if (inbox === null) {
    if (kind === 'privmsg')
      tell(main, e.nick, `Write "user@domain: message" to reach someone through this gateway.`);
    return;
  }
  const a = await send(ic, nickUri, undefined, inbox, nickUri, inbox, kind, e, text);
  if (a.status === 'error' && kind !== 'notice')
    tell(main, e.nick, `Not delivered to ${inbox.uri}: ${describe(a)}`);
  else if (a.status === 'ok') ic.lastCorrespondent.set(nick.folded, inbox);
}

/** A line a puppet received: private ones go to the puppet's owner. */
export async function onPuppetLine(
  ic: InboundContext,
  puppet: IrcLink,
  owner: ImAddress,
  e: IrcLineEvent,
  kind: IrcLineKind,
): Promise<void> {
  const info = ic.main.info;
  if (!e.nick || ic.isOwn(e.nick) || isChannelName(e.target, info)) return;
  const nickUri = ic.names.get(e.nick, info).address;
  const a = await send(ic, nickUri, undefined, owner, nickUri, owner, kind, e, e.message);
  if (a.status === 'error' && kind !== 'notice') tell(puppet, e.nick, `Not delivered: ${describe(a)}`);
}

/** A TAGMSG a puppet received in private: a reaction goes to the puppet's owner (issue 17). */
export async function onPuppetTagmsg(ic: InboundContext, owner: ImAddress, e: IrcLineEvent): Promise<void> {
  const target = e.target.replace(/^:/, '');
  if (ic.withRelations === undefined || !e.nick || ic.isOwn(e.nick) || isChannelName(target, ic.main.info))
    return;
  const r = inboundRelations(e.tags, ic.messageIds);
  if (r?.reaction === undefined) return;
  const nickUri = ic.names.get(e.nick, ic.main.info).address;
  const a = await send(ic, nickUri, undefined, owner, nickUri, owner, 'privmsg', e, '', r);
  if (a.status === 'error') ic.ctx.log.debug({ nick: e.nick, error: describe(a) }, 'reaction not relayed');
}

/**
 * A TAGMSG the main connection received (message-tags): a reaction (client-tags/react) to a
 * line the gateway knows goes to the channel's room with an empty text and the relation, when
 * the core codec can carry it (`withRelations`); anything else in a TAGMSG (typing, ...) is not
 * a message.
 */
export async function onMainTagmsg(ic: InboundContext, e: IrcLineEvent): Promise<void> {
  if (ic.withRelations === undefined || !e.nick || ic.isOwn(e.nick)) return;
  const r = inboundRelations(e.tags, ic.messageIds);
  if (r?.reaction === undefined) return;
  // InspIRCd writes the target as a trailing parameter (`TAGMSG :#chan`, spec §1.1).
  const a = await silent(ic, { ...e, target: e.target.replace(/^:/, '') }, r);
  if (a?.status === 'error')
    ic.ctx.log.debug({ target: e.target, error: describe(a) }, 'reaction not relayed');
}

/**
 * A silent relation (a reaction, a deletion) from `e.nick` to `e.target`: to the channel's room,
 * or, sent to the gateway's nick, to the hub user that nick last wrote to (relay mode, as a
 * private line without an address goes). Undefined when it has nowhere to go.
 */
async function silent(ic: InboundContext, e: IrcLineEvent, r: IrcRelations): Promise<Answer | undefined> {
  const info = ic.main.info;
  const nick = ic.names.get(e.nick, info);
  if (!isChannelName(e.target, info)) {
    const inbox = ic.lastCorrespondent.get(nick.folded);
    if (inbox === undefined) return undefined;
    return send(ic, nick.address, undefined, inbox, nick.address, inbox, 'privmsg', e, '', r);
  }
  const chan = ic.names.channel(e.target, info);
  if (chan === null) return undefined;
  return send(ic, chan.address, nick.origSender, chan.room, nick.address, chan.address, 'privmsg', e, '', r);
}

/**
 * An inbound REDACT (IRCv3 message-redaction): a silent `Msg.Retracts` (Require, docs/message-semantics.md)
 * of the gateway id of that msgid. A msgid the gateway never saw is ignored (nothing to delete).
 */
export async function onMainRedact(
  ic: InboundContext,
  r: { nick: string; target: string; msgid: string },
): Promise<void> {
  if (ic.withRelations === undefined || ic.isOwn(r.nick)) return;
  const id = ic.messageIds?.gatewayId(r.msgid);
  if (id === undefined) {
    ic.ctx.log.debug(
      { nick: r.nick, target: r.target, msgid: r.msgid },
      'REDACT of an unknown msgid ignored',
    );
    return;
  }
  const a = await silent(ic, { nick: r.nick, target: r.target, message: '' }, { retracts: id });
  if (a?.status === 'error')
    ic.ctx.log.debug({ target: r.target, error: describe(a) }, 'deletion not relayed');
}
