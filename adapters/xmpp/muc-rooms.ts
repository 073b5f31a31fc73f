/**
 * Rooms hosted by the component (XEP-0045 service side; docs/adapters/xmpp.md "Rooms (XEP-0045)"). Each
 * configured room `<name>@<component domain>` bridges one gateway room (docs/architecture.md part 7): its
 * member inbox there is `im:<name>@<component domain>`, as the web adapter's `im:room.<name>@…`.
 *
 * - An XMPP user joins with presence to `room/nick` (§7.2): the occupants' presence, then their
 *   own with status 110, then the history from the store (§7.2.14, XEP-0203 `<delay>`;
 *   muc-history.ts), then the
 *   subject (§7.2.15). A nick in use by someone else is `<conflict/>` (§7.2.9).
 * - Their groupchat message (§7.4) is posted to the gateway room as the bridge member speaking
 *   with the author in Orig-Sender (the router verifies it and keeps it, so the room never sends
 *   the post back to the bridge) and reflected to every XMPP occupant, the sender included, with
 *   the sender's `id` and a XEP-0359 `<stanza-id by=room>`.
 * - A post of the gateway room reaching the bridge inbox goes to every XMPP occupant as groupchat
 *   from `room/<author's nick>`; an author not yet shown is announced as an occupant first.
 * - Private messages (§7.5) and nick changes (§7.6): muc-occupants.ts.
 * - People of other networks configured as members (`rooms[].members`) are occupants from the
 *   start, under the local part of their address (the whole address when two would collide).
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmpp/component';
import {
  MESSAGE_ID_HEADER,
  errorAnswer,
  getHeader,
  type AdapterContext,
  type Answer,
  type MimeReadLimits,
  type Operation,
  type FileStorePort,
} from '../../src/index.js';
import { xmppToCpim, type XmppAddressing } from './addresses.js';
import { XmppMappingError, bareJid, parseJid } from './jid-escape.js';
import { DroppedRelation, droppedAnswer } from './message-map.js';
import {
  FOREIGN_ROLE,
  NS_MUC,
  XMPP_ROLE,
  groupchatMessage,
  historyRequest,
  joinError,
  nickOf,
  occupantJid,
  occupantPresence,
  subjectMessage,
} from './muc-stanzas.js';
import { groupchatText, roomMessage, sendHistory } from './muc-history.js';
import { postToRoom } from './muc-post.js';
import type { XmppIds } from './relation-ids.js';
import { originIdElement, relationElements } from './relation-stanzas.js';
import { outboundRelation } from './relations-out.js';
import { changeNick, privateMessage } from './muc-occupants.js';
import { readMessage } from './payload.js';
import { errorReply } from './stanzas.js';

export interface MucRoomConfig {
  readonly name: string;
  readonly address: string;
  readonly title?: string | undefined;
  readonly subject?: string | undefined;
  readonly members: readonly string[];
}

export interface MucContext {
  readonly ctx: AdapterContext;
  readonly addressing: XmppAddressing;
  readonly send: (el: Element) => Promise<void>;
  /** At most this many history messages on join (`muc.historyMaxStanzas`). */
  readonly historyMax: number;
  /** Occupants per room, XMPP and foreign together (`muc.maxOccupants`). */
  readonly maxOccupants: number;
  readonly mime: MimeReadLimits;
  /** Issue 17: the gateway's file store (files inside a post go to the room as links). */
  readonly files?: () => FileStorePort | null;
  /** The answer to a hub post written to the server (groupchat has no receipts). */
  readonly unreliable: Answer;
  /** XMPP ids ↔ gateway ids and reaction sets (issue 17). */
  readonly ids: XmppIds;
  /** `limits.maxReactions`. */
  readonly maxReactions: number;
}

export interface Occupant {
  readonly jid: string;
  readonly nick: string;
  /** The user's im: URI. */
  readonly uri: string;
}

export class HostedRoom {
  readonly jid: string;
  readonly bridge: string;
  /** XMPP occupants by full JID. */
  readonly xmpp = new Map<string, Occupant>();
  /** People of other networks shown as occupants: nick → im: URI, and back. */
  readonly foreign = new Map<string, string>();
  readonly foreignNick = new Map<string, string>();

  constructor(
    readonly config: MucRoomConfig,
    componentDomain: string,
  ) {
    this.jid = `${config.name}@${componentDomain}`;
    this.bridge = `im:${config.name}@${componentDomain}`;
  }

  get title(): string {
    return this.config.title ?? this.config.name;
  }

  /** The XMPP occupant using `nick`, if any. */
  xmppWithNick(nick: string): Occupant | undefined {
    for (const o of this.xmpp.values()) if (o.nick === nick) return o;
    return undefined;
  }

  /** The nick someone already has in the room (an XMPP occupant's, or a foreign one). */
  nickFor(uri: string): string | undefined {
    for (const o of this.xmpp.values()) if (o.uri === uri) return o.nick;
    return this.foreignNick.get(uri);
  }

  nickTaken(nick: string): boolean {
    return this.foreign.has(nick) || this.xmppWithNick(nick) !== undefined;
  }

  /** One entry per nick (a user joined from two resources is one occupant to the others). */
  nicks(): Map<string, 'xmpp' | 'foreign'> {
    const out = new Map<string, 'xmpp' | 'foreign'>();
    for (const n of this.foreign.keys()) out.set(n, 'foreign');
    for (const o of this.xmpp.values()) out.set(o.nick, 'xmpp');
    return out;
  }
}

export class MucRooms {
  private readonly byName = new Map<string, HostedRoom>();
  private readonly byBridge = new Map<string, HostedRoom>();

  constructor(
    private readonly c: MucContext,
    rooms: readonly MucRoomConfig[],
  ) {
    for (const r of rooms) {
      const room = new HostedRoom(r, c.addressing.componentDomain);
      this.byName.set(r.name, room);
      this.byBridge.set(room.bridge, room);
      for (const m of r.members) this.addForeign(room, m);
    }
  }

  get rooms(): readonly HostedRoom[] {
    return [...this.byName.values()];
  }

  /** The hosted room a JID (bare or occupant) names, if any. */
  room(jid: string | undefined): HostedRoom | undefined {
    if (jid === undefined) return undefined;
    try {
      const j = parseJid(jid);
      if (j.domain !== this.c.addressing.componentDomain.toLowerCase()) return undefined;
      return this.byName.get(j.local.toLowerCase());
    } catch (e) {
      if (e instanceof XmppMappingError) return undefined;
      throw e;
    }
  }

  /** The hosted room whose bridge inbox an IMTP send names. */
  bridged(inbox: string): HostedRoom | undefined {
    return this.byBridge.get(inbox);
  }

  /** A nick for someone of another network; announced to the XMPP occupants when new. */
  private addForeign(room: HostedRoom, uri: string): string | undefined {
    const known = room.foreignNick.get(uri);
    if (known !== undefined) return known;
    if (room.foreign.size + room.xmpp.size >= this.c.maxOccupants) return undefined;
    let nick = nickOf(uri);
    if (nick !== null && room.nickTaken(nick)) nick = nickOf(uri, true);
    if (nick === null || room.nickTaken(nick) || occupantJid(room.jid, nick) === null) return undefined;
    room.foreign.set(nick, uri);
    room.foreignNick.set(uri, nick);
    return nick;
  }

  // --- Presence: join, update, leave (XEP-0045 §7.2, §7.14) ------------------------------------

  async onPresence(el: Element, room: HostedRoom): Promise<void> {
    const from = el.attrs.from ?? '';
    const type = el.attrs.type;
    if (type === 'error') return void this.drop(room, from); // a ghost (XEP-0045 §7.2.7; XEP-0410 finds them)
    if (type === 'unavailable') return this.leave(room, from);
    if (type !== undefined) return; // subscription requests to a room mean nothing (§7.2)
    const nick = parseJid(el.attrs.to ?? '').resource;
    if (nick === '')
      // §7.2.1: a join names a nick.
      return this.c.send(joinError(el, room.jid, 'jid-malformed', 'modify', 'no nickname'));
    let uri: string;
    try {
      uri = xmppToCpim(from, 'im', this.c.addressing).uri;
    } catch (e) {
      if (!(e instanceof XmppMappingError)) throw e;
      return this.c.send(joinError(el, room.jid, 'forbidden', 'auth', 'not a user of a served domain'));
    }
    const self = room.xmpp.get(from);
    const rejoin = el.getChild('x', NS_MUC) !== undefined;
    if (self !== undefined && self.nick !== nick) return changeNick(this.c, room, el, self, nick);
    if (self !== undefined && !rejoin) return this.broadcastPresence(room, self);
    const holder = room.xmppWithNick(nick);
    const bare = bareJid(parseJid(from));
    // §7.2.9: someone else (another network, or another XMPP account) has that nick.
    if (room.foreign.has(nick) || (holder !== undefined && bareJid(parseJid(holder.jid)) !== bare))
      return this.c.send(joinError(el, room.jid, 'conflict', 'cancel', 'that nickname is in use'));
    if (self === undefined && room.xmpp.size + room.foreign.size >= this.c.maxOccupants)
      // §7.2.10: the room is full.
      return this.c.send(joinError(el, room.jid, 'service-unavailable', 'wait', 'the room is full'));
    return this.join(el, room, { jid: from, nick, uri }, holder !== undefined || self !== undefined);
  }

  private async join(el: Element, room: HostedRoom, o: Occupant, nickShown: boolean): Promise<void> {
    const at = (nick: string) => occupantJid(room.jid, nick)!;
    // §7.2.3: first the presence of every occupant already there …
    for (const [nick, kind] of room.nicks())
      if (nick !== o.nick)
        await this.c.send(occupantPresence(at(nick), o.jid, kind === 'xmpp' ? XMPP_ROLE : FOREIGN_ROLE));
    // … the newcomer announced to the others (once per nick) …
    if (!nickShown)
      for (const other of room.xmpp.values())
        if (other.jid !== o.jid) await this.c.send(occupantPresence(at(o.nick), other.jid, XMPP_ROLE));
    room.xmpp.set(o.jid, o);
    // … then its own presence, status 110, with the join's id (§7.2.3 "self-presence") …
    await this.c.send(occupantPresence(at(o.nick), o.jid, XMPP_ROLE, { self: true, id: el.attrs.id }));
    // … the history (§7.2.14) and last the subject (§7.2.15).
    await sendHistory(this.c, room, o.jid, historyRequest(el, this.c.historyMax, Date.now()));
    const subject = room.config.subject ?? room.title;
    await this.c.send(subjectMessage(room.jid, o.jid, subject, `s-${randomUUID()}`));
  }

  private async broadcastPresence(room: HostedRoom, o: Occupant): Promise<void> {
    const from = occupantJid(room.jid, o.nick)!;
    for (const other of room.xmpp.values())
      await this.c.send(occupantPresence(from, other.jid, XMPP_ROLE, { self: other.jid === o.jid }));
  }

  /** §7.14: the leaver gets its own unavailable presence (110), the others the leave. */
  private async leave(room: HostedRoom, jid: string): Promise<void> {
    const o = room.xmpp.get(jid);
    if (o === undefined) return;
    room.xmpp.delete(jid);
    const from = occupantJid(room.jid, o.nick)!;
    await this.c.send(occupantPresence(from, jid, XMPP_ROLE, { self: true, unavailable: true }));
    if (room.xmppWithNick(o.nick) !== undefined) return;
    for (const other of room.xmpp.values())
      await this.c.send(occupantPresence(from, other.jid, XMPP_ROLE, { unavailable: true }));
  }

  /** An occupant whose server answered with an error is gone: the others see it leave. */
  async drop(room: HostedRoom, jid: string): Promise<void> {
    const o = room.xmpp.get(jid);
    if (o === undefined) return;
    room.xmpp.delete(jid);
    if (room.xmppWithNick(o.nick) !== undefined) return;
    const from = occupantJid(room.jid, o.nick)!;
    for (const other of room.xmpp.values())
      await this.c.send(occupantPresence(from, other.jid, XMPP_ROLE, { unavailable: true }));
  }

  /** Forgets every XMPP occupant (after the link to the server was lost and came back). */
  clearOccupants(): void {
    for (const room of this.byName.values()) room.xmpp.clear();
  }

  /** Whether `jid` is in `room` under `nick` (XEP-0410 §3 self-ping). */
  isOccupant(room: HostedRoom, jid: string, nick: string): boolean {
    return room.xmpp.get(jid)?.nick === nick;
  }

  // --- Messages (XEP-0045 §7.4) -----------------------------------------------------------------

  /** A message an XMPP user sent to the room's JID. */
  async onMessage(el: Element, room: HostedRoom): Promise<void> {
    const from = el.attrs.from ?? '';
    const to = parseJid(el.attrs.to ?? '');
    if (to.resource !== '') return privateMessage(this.c, room, el, to.resource);
    if (el.attrs.type !== 'groupchat')
      // §7.5 private messages go to room/nick; a chat to the room itself means nothing.
      return this.c.send(
        errorReply(el, {
          condition: 'bad-request',
          type: 'modify',
          text: 'groupchat only, or a private message to room/nick',
        }),
      );
    const o = room.xmpp.get(from);
    if (o === undefined)
      // §7.4: only occupants speak.
      return this.c.send(errorReply(el, { condition: 'not-acceptable', type: 'modify', text: 'join first' }));
    return postToRoom(this.c, el, room, o, readMessage(el));
  }

  /** A post of the gateway room reaching the bridge inbox: to every XMPP occupant. */
  async deliver(op: Operation, room: HostedRoom): Promise<Answer> {
    const author = getHeader(op.headers, 'Orig-Sender') ?? getHeader(op.headers, 'Sender');
    if (author === undefined) return errorAnswer('malformed', 'send requires a Sender');
    if (op.payload === undefined) return errorAnswer('malformed', 'send requires a payload');
    let m;
    try {
      m = await roomMessage(this.c, getHeader(op.headers, 'Content-Type'), op.payload, room.jid);
    } catch (e) {
      if (e instanceof DroppedRelation) return droppedAnswer(e);
      return errorAnswer('malformed', (e as Error).message);
    }
    // Issue 17: the post's relations as XEP elements naming the room's stanza-ids.
    const rel = outboundRelation(m, this.c.ids, {
      author,
      groupchat: true,
      nick: nickOf(author) ?? author,
      maxReactions: this.c.maxReactions,
    });
    if (rel.kind === 'drop') return droppedAnswer(new DroppedRelation(rel.what, rel.why));
    const text =
      rel.relationOnly && rel.message.body.length === 0 ? { body: '' } : groupchatText(rel.message);
    if (text === null) return errorAnswer('malformed', 'an XMPP room carries text only');
    if (room.xmpp.size === 0) return errorAnswer('no-listeners', `nobody is in XMPP room ${room.jid}`);
    let nick = room.nickFor(author);
    if (nick === undefined) {
      nick = this.addForeign(room, author);
      if (nick !== undefined) {
        const at = occupantJid(room.jid, nick)!;
        for (const o of room.xmpp.values()) await this.c.send(occupantPresence(at, o.jid, FOREIGN_ROLE));
      }
    }
    const from = occupantJid(room.jid, nick ?? nickOf(author, true) ?? 'someone');
    if (from === null) return errorAnswer('malformed', `${author} has no nickname XMPP can carry`);
    const messageId = getHeader(op.headers, MESSAGE_ID_HEADER)?.trim();
    const id = messageId || randomUUID();
    // XEP-0359 §3.1: every stanza the component writes carries its gateway id as origin-id.
    const extra = [originIdElement(id), ...relationElements(rel.elements, text.body)];
    if (messageId) this.c.ids.noteSent(messageId);
    for (const o of room.xmpp.values())
      await this.c.send(
        groupchatMessage(from, o.jid, text, {
          id,
          roomJid: room.jid,
          ...(messageId ? { stanzaId: messageId } : {}),
          extra,
        }),
      );
    return this.c.unreliable;
  }
}
