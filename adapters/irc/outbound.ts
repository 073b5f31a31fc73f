/**
 * Hub → IRC (docs/hub-protocol.md part 2.11 §16.2): an IMTP `send` to a nick or channel URI becomes
 * PRIVMSG lines from the main connection (relay mode, `<alice> ` prefix) or from the author's
 * puppet (puppet mode). The answer is `ok` + `Unreliable: <network domain>` once the server has
 * the lines, or the error the server gave (part 2.8).
 */
import {
  claimedAuthorNote,
  errorAnswer,
  getHeader,
  HubError,
  okAnswer,
  readReport,
  shownAuthor,
  type Answer,
  type BoundedCache,
  type FileStorePort,
  type MimeAttachment,
  type ImAddress,
  type MessageIds,
  type Operation,
} from '../../src/index.js';
import { readOutbound } from './body.js';
import { linkFiles, linkLongText } from './files.js';
import type { IrcChannelConfig, IrcConfig, LongMessagePolicy } from './config.js';
import { messageIdOf, type DurableQueue, type Resumed } from './durable.js';
import type { IrcLink } from './link.js';
import type { PuppetPool } from './puppets.js';
import { relayName, type RelayNaming } from './relay-names.js';
import { Ticket } from './queue.js';
import type { OwnMsgids } from './echoes.js';
import { outboundRelation, type IrcRelations, type OutboundRelation } from './relations.js';
import type { ReplyParent } from './reply-quote.js';
import { addressToTarget, byteLength, clipLine, foldCase, splitMessage, tryInbox } from './translate.js';

const MESSAGE_ID = 'Message-ID';
const NO_RELATION: OutboundRelation = { kind: 'none' };

/** Extension header on an ok answer: the message did not go out whole (docs/adapters/irc.md "Outbound (hub → IRC) and answers"). */
export const CLIPPED_HEADER = 'Irc-Clipped';

export interface OutboundContext {
  readonly config: IrcConfig;
  readonly main: IrcLink;
  readonly puppets: PuppetPool | null;
  readonly channel: (folded: string) => IrcChannelConfig | undefined;
  /** Relay mode: the hub user a nick last heard from, so a reply without an address finds them. */
  readonly lastCorrespondent: BoundedCache<string, ImAddress>;
  /** The output queue kept in the store; null without a store (storage.backend none). */
  readonly durable: DurableQueue | null;
  /** How relay lines name their author (relay-names.ts). */
  readonly naming: RelayNaming;
  /** IRCv3: msgid ↔ gateway Message-ID, and the labels that learn our own lines' msgids (echoes.ts). */
  readonly messageIds?: MessageIds | undefined;
  readonly ownIds?: OwnMsgids | null;
  /** A send's reply or reaction (relations.ts), as the core codec reads it from the payload. */
  readonly relationsOf?: ((op: Operation) => IrcRelations | undefined) | undefined;
  /** Plain IRC reply prefix and quote: who wrote the message with this gateway id, when known. */
  readonly parentOf?: ((gatewayId: string) => ReplyParent | undefined) | undefined;
  /** Issue 17 (files.ts): the gateway's file store for files and long messages; null when off. */
  readonly files?: FileStorePort | null;
}

interface Plan {
  readonly lines: string[];
  readonly clipped?: string;
}

/**
 * Applies the long-message policy (docs/bridge-requirements.md row 2) to the split lines; `link`
 * splits like `split` (its link was made before, files.ts).
 */
export function plan(text: string, budget: number, policy: LongMessagePolicy, maxLines: number): Plan {
  const lines = splitMessage(text, budget);
  if (lines.length === 0) throw new HubError('malformed', 'the message has no text IRC can carry');
  if (lines.length === 1) return { lines };
  if (policy === 'refuse')
    throw new HubError('quota', `the message needs ${lines.length} IRC lines; this channel takes one`);
  if (policy === 'clip')
    return {
      lines: [clipLine(lines.join(' '), budget)],
      clipped: `1 of ${lines.length} lines sent, clipped`,
    };
  if (lines.length <= maxLines) return { lines };
  const kept = lines.slice(0, maxLines);
  // The last line sent ends with "…", so IRC readers see that more was cut too.
  const last = kept[maxLines - 1]! + ' …';
  kept[maxLines - 1] = byteLength(last) <= budget ? last : clipLine(kept[maxLines - 1]! + ' ', budget);
  return { lines: kept, clipped: `${maxLines} of ${lines.length} lines sent` };
}

/** `resumed`: an entry of the durable queue read back at start (durable.ts), queued again as it was. */
export async function deliverSend(ctx: OutboundContext, op: Operation, resumed?: Resumed): Promise<Answer> {
  const { config, main } = ctx;
  const inbox = tryInbox(getHeader(op.headers, 'Inbox'));
  if (inbox === null) return errorAnswer('malformed', 'bad Inbox');
  const target = addressToTarget(inbox, config.domain, main.info);
  if (target === null) return errorAnswer('target-not-found', `${inbox.uri} is no IRC nick or channel`);
  const folded = foldCase(target.name, main.info.casemapping);
  const chan = target.kind === 'channel' ? ctx.channel(folded) : undefined;
  if (target.kind === 'channel' && chan === undefined)
    return errorAnswer('target-authorization', `${target.name} is not a bridged channel`);
  if (op.payload === undefined) return errorAnswer('malformed', 'send requires a payload');

  let text: string;
  let from: string | undefined;
  let fromName: string | undefined;
  let files: readonly MimeAttachment[] | undefined;
  const store = ctx.files ?? null;
  try {
    const read = readOutbound(getHeader(op.headers, 'Content-Type'), op.payload, config.mime, store !== null);
    ({ text, from, fromName, files } = read instanceof Promise ? await read : read);
  } catch (e) {
    if (e instanceof HubError) return errorAnswer(e.type, e.message);
    throw e;
  }
  // Identity (docs/architecture.md part 8): the author is the router's verified Orig-Sender (a
  // room's fan-out names the author there), else the Sender; never the inner CPIM From, which
  // when it names someone else is shown after the author: `<alice (as "Bob")>`.
  const author = tryInbox(getHeader(op.headers, 'Orig-Sender')) ?? tryInbox(getHeader(op.headers, 'Sender'));
  if (author === null) return errorAnswer('malformed', 'bad Sender');
  const note = claimedAuthorNote(author.uri, from, fromName);
  // Issue 17: the files inside the message go to the file store; IRC gets their links.
  const filed = files === undefined ? undefined : await linkFiles(text, files, store, author.uri);
  if (filed !== undefined) text = filed.text;

  // A delivery report (src/protocol/report.ts) is a NOTICE from the main connection, as the
  // gateway's own voice (RFC 2812 3.3.2: never answered automatically).
  const report = readReport(op) !== undefined;
  let link = main;
  const name = relayName(author, ctx.naming);
  let prefix = report ? '' : `<${shownAuthor(name, note)}> `;
  if (ctx.puppets !== null && author.domain !== config.domain && !report) {
    const p = ctx.puppets.get(author);
    if (p !== null) {
      link = p.link;
      // The puppet's nick is the author; the claim, if any, leads the text.
      prefix = note === null ? '' : `${note} `;
      if (chan) link.want(chan.name, chan.key);
    }
  }
  if (target.kind === 'nick' && link === main && !report) ctx.lastCorrespondent.set(folded, author);

  // CTCP ACTION for "/me " (the convention chat clients share; see docs/adapters/irc.md "Formatting").
  // In relay mode an action is written "* alice waves" by the gateway's nick.
  const action = !report && /^\/me /.test(text);
  if (action) text = text.slice(4);
  const puppet = link !== main;
  if (action && !puppet) prefix = `* ${shownAuthor(name, note)} `;
  const ctcp = action && puppet;
  const wrap = ctcp ? (t: string) => `\x01ACTION ${t}\x01` : (t: string) => t;
  // Issue 17 (relations.ts): a reply as `+draft/reply` where the server has message-tags, else
  // `nick: ` (spec §1.2); a reaction as a TAGMSG, or nothing on plain IRC.
  const relations = report ? undefined : ctx.relationsOf?.(op);
  const parent = relations?.replyTo ?? relations?.reaction?.target;
  // (The caps are read only for a send with relations: this is the per-message path.)
  const rel =
    relations === undefined
      ? NO_RELATION
      : outboundRelation(
          relations,
          link.caps,
          ctx.messageIds,
          parent === undefined ? undefined : ctx.parentOf?.(parent),
        );
  // Nothing IRC can carry: said to the sender (issue 20, "limits tell the truth").
  if (rel.kind === 'drop') return okAnswer([['Irc-Clipped', `not passed on: ${rel.why}`]]);
  if (rel.kind === 'prefix') {
    text = rel.prefix + text;
    // The quote line only where a message may take several lines.
    if (rel.quote !== undefined && ['split', 'link'].includes(chan?.longMessages ?? config.longMessages))
      text = `${rel.quote}\n${text}`;
  }
  const label = report ? undefined : ctx.ownIds?.labelTag(link, getHeader(op.headers, MESSAGE_ID));
  const tagList = [rel.kind === 'tags' || rel.kind === 'tagmsg' ? rel.tags : undefined, label].filter(
    Boolean,
  );
  const tags = tagList.length > 0 ? tagList.join(';') : undefined;
  const gatewayId = getHeader(op.headers, MESSAGE_ID);
  if (rel.kind === 'tagmsg') {
    if (label === undefined) ctx.ownIds?.expectEcho(link, target.name, [''], gatewayId);
    return link.send(target.name, 'TAGMSG', [''], target.kind === 'channel', tags);
  }
  const budget = link.budget('PRIVMSG', target.name) - byteLength(prefix) - (ctcp ? 9 : 0);
  const policy = chan?.longMessages ?? config.longMessages;
  // Issue 17 (files.ts): past maxLinesPerMessage, the first line and a link to the whole text.
  const linked =
    policy === 'link' && !report
      ? await linkLongText(text, budget, config.maxLinesPerMessage, store, author.uri)
      : null;
  if (linked !== null) text = linked.text;
  let p: Plan;
  try {
    p = plan(text, budget, policy, config.maxLinesPerMessage);
  } catch (e) {
    if (e instanceof HubError) return errorAnswer(e.type, e.message);
    throw e;
  }
  const lines = p.lines.map((l) => wrap(prefix + l));
  if (label === undefined && !report) ctx.ownIds?.expectEcho(link, target.name, lines, gatewayId);
  // Issue 20: a send that would wait for the pacing bucket (flood) longer than the queue keeps
  // lines (`queue.maxAgeMs`) is the sender's excess beyond the connection's pace: `quota` at
  // once, rather than an `ok` or a `communications` 20 s later. A connection not up yet (a new
  // puppet, a reconnect) keeps its lines as before.
  if (resumed === undefined && link.state === 'ready') {
    const wait = link.paceWaitMs(lines.length);
    if (wait > config.queue.maxAgeMs)
      return errorAnswer(
        'quota',
        `the IRC connection is paced (flood control): ${link.queued} lines are waiting and this message would wait about ${Math.ceil(wait / 1000)} s, more than the ${config.queue.maxAgeMs} ms lines may wait; send it again later`,
      );
  }
  const command = report ? 'NOTICE' : 'PRIVMSG';
  const channel = target.kind === 'channel';
  const durable = report ? null : ctx.durable;
  let answer: Answer;
  if (durable !== null && (resumed !== undefined || !link.canSendNow(lines.length, chan && folded))) {
    // docs/adapters/irc.md "Queued messages and restarts": kept in the store before the answer.
    const t = link.queueLines(target.name, command, lines, channel, {
      held: resumed === undefined,
      ...(tags === undefined ? {} : { tags }),
      ...(resumed ? { enqueuedAt: resumed.time } : {}),
    });
    if (!(t instanceof Ticket)) return t;
    if (resumed !== undefined) {
      // Queued again in order; what becomes of it is durable.ts's to report.
      durable.track(t, op, resumed.id);
      return okAnswer();
    }
    answer = await durable.keep(
      t,
      op,
      messageIdOf(op),
      () => link.withdraw(t),
      () => link.pump(),
    );
  } else answer = await link.send(target.name, command, lines, channel, tags);
  const clipped =
    [linked?.clipped ?? p.clipped, ...(filed?.refused ?? [])].filter(Boolean).join('; ') || undefined;
  if (answer.status !== 'ok' || clipped === undefined) return answer;
  return { ...answer, headers: [...answer.headers, [CLIPPED_HEADER, clipped]] };
}
