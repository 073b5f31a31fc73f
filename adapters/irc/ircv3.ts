/**
 * The IRCv3 parts of one IRC adapter (issue 17; docs/message-semantics.md):
 * which caps each connection asks for and got, the labels that learn our own lines' msgids
 * (echoes.ts), the hooks through which the core codec carries replies and reactions
 * (relations.ts), and the records edits, deletions and reactions need (outbound-relations.ts).
 * Without a store, or on a server without the caps (ngircd), nothing here
 * changes a line.
 */
import { BoundedCache, type Logger, type MessageIds, type Operation, type Store } from '../../src/index.js';
import { wantedCaps, type IrcCaps } from './caps.js';
import type { IrcConfig } from './config.js';
import { OwnMsgids } from './echoes.js';
import { onMainLine, onMainRedact, onMainTagmsg, type InboundContext, type IrcLineEvent } from './inbound.js';
import { MULTILINE, joinBatch, multilineOpener } from './multiline.js';
import type { IrcLink } from './link.js';
import { ReactionLines, type ReactionDest } from './reaction-lines.js';
import { redactFailure, redactOf } from './redact.js';
import type { IrcRelations } from './relations.js';
import { ReplyAuthors } from './reply-quote.js';
import { SentTexts } from './sent-texts.js';
import { clipLine, foldCase } from './translate.js';

/** Multiline batches open at once on one connection, at most (their lines wait for the end). */
const MAX_OPEN_BATCHES = 16;
/** Lines kept of one batch (a server's max-lines is far below; more are dropped). */
const MAX_BATCH_LINES = 1000;

/** Where a plain-IRC reaction line goes (reaction-lines.ts). */
export interface ReactionTarget extends ReactionDest {
  readonly link: IrcLink;
  readonly name: string;
  readonly channel: boolean;
}

/** How the core codec joins the adapter's relations (relations.ts) to the CPIM payload. */
export interface IrcRelationHooks {
  /** The reply or reaction a send carries (the `Msg` headers of its payload). */
  readonly relationsOf?: (op: Operation) => IrcRelations | undefined;
  /** The payload of an inbound line with its reply or reaction added. */
  readonly withRelations?: (payload: Uint8Array, r: IrcRelations) => Uint8Array;
}

export class Ircv3 {
  readonly ownIds: OwnMsgids | null;
  readonly authors: ReplyAuthors | undefined;
  /** What we wrote, for the correction line of an edit (sent-texts.ts); kept in the store. */
  readonly sent: SentTexts | undefined;
  /** Our reactions' gateway ids, so that a removal can REDACT the reaction (outbound-relations.ts). */
  readonly reactions: BoundedCache<string, string> | undefined;
  readonly reactionLines: ReactionLines<ReactionTarget>;

  constructor(
    readonly messageIds: MessageIds | undefined,
    readonly hooks: IrcRelationHooks,
    c: IrcConfig,
    store: Store | null,
    adapterId: string,
    private readonly log: Logger,
  ) {
    // Labels: at most one per queued message, so the queue's bound. The authors kept: the bounds
    // of `correspondents` (one entry per line, not per nick).
    this.ownIds = messageIds === undefined ? null : new OwnMsgids(messageIds, c.queue.maxLines, log);
    const on = hooks.relationsOf !== undefined;
    this.authors = on ? new ReplyAuthors(c.correspondents, c.replies) : undefined;
    this.sent = on ? new SentTexts(store, adapterId, { ...c.edits, log }) : undefined;
    this.reactions = on ? new BoundedCache(c.correspondents) : undefined;
    this.reactionLines = new ReactionLines<ReactionTarget>(
      c.reactions,
      (d, text) =>
        void d.link.send(d.name, 'PRIVMSG', [clipLine(text, d.link.budget('PRIVMSG', d.name))], d.channel),
      log,
    );
  }

  /** Reads what the store kept (the texts of sent messages). */
  load(): Promise<void> {
    return this.sent?.load() ?? Promise.resolve();
  }

  /** The main connection's TAGMSG (reactions) and REDACT (deletions), as messages to the hub. */
  wireInbound(main: IrcLink, ic: InboundContext, failed: (err: unknown) => void): void {
    main.client.on('tagmsg', (e: IrcLineEvent) => void onMainTagmsg(ic, e).catch(failed));
    // irc-framework has no REDACT event, and keeps no tags of a BATCH line: raw lines.
    const openers = new Map<string, Record<string, string>>();
    main.client.on('raw', (e: { line: string; from_server: boolean }) => {
      if (!e.from_server) return;
      if (e.line.includes(' REDACT ')) {
        const r = redactOf(e.line);
        if (r !== null) void onMainRedact(ic, r).catch(failed);
      } else if (e.line.startsWith('@') && e.line.includes(` BATCH +`)) {
        const o = multilineOpener(e.line);
        if (o === null) return;
        if (openers.size >= MAX_OPEN_BATCHES) openers.delete(openers.keys().next().value!);
        openers.set(o.ref, o.tags);
      }
    });
    // multiline: irc-framework hands a batch's lines over at its end, between these two events.
    const lines = new Map<string, IrcLineEvent[]>();
    main.client.on('privmsg', (e: IrcLineEvent) => {
      const b = e.batch;
      if (b?.type !== MULTILINE) return;
      const got = lines.get(b.id);
      if (got !== undefined) {
        if (got.length < MAX_BATCH_LINES) got.push(e);
      } else if (lines.size < MAX_OPEN_BATCHES) lines.set(b.id, [e]);
    });
    main.client.on(`batch end ${MULTILINE}`, (b: { id: string }) => {
      const got = lines.get(b.id);
      const tags = openers.get(b.id) ?? {};
      lines.delete(b.id);
      openers.delete(b.id);
      const first = got?.[0];
      if (first === undefined) return;
      if (ic.isOwn(first.nick)) return this.ownIds?.batchEcho(main, tags);
      const one: IrcLineEvent = { nick: first.nick, target: first.target, message: joinBatch(got!), tags };
      void onMainLine(ic, first.time === undefined ? one : { ...one, time: first.time }, 'privmsg').catch(
        failed,
      );
    });
  }

  /** The caps a connection asks for: echo-message only when the msgids can be kept. */
  caps(main: boolean): string[] {
    return wantedCaps(main, this.ownIds !== null);
  }

  /** A new connection (main or puppet): its echoes are watched, its caps logged once registered. */
  watch(link: IrcLink): IrcLink {
    this.ownIds?.watch(link);
    // message-redaction "Errors": a refused REDACT fails the send waiting for it.
    link.client.on('raw', (e: { line: string; from_server: boolean }) => {
      if (!e.from_server || !e.line.includes('FAIL REDACT ')) return;
      const f = redactFailure(e.line);
      if (f !== null) link.failTarget(foldCase(f.target, link.info.casemapping), f.answer);
    });
    // RPL_WELCOME comes after CAP END: the negotiated set is complete here.
    link.client.on('registered', (e: { nick: string }) =>
      this.log.debug({ nick: e.nick, caps: link.client.network.cap.enabled }, 'irc caps negotiated'),
    );
    return link;
  }

  /** What each connection negotiated, by nick (the main one first). */
  static negotiated(links: readonly IrcLink[]): { nick: string; caps: IrcCaps }[] {
    return links.map((l) => ({ nick: l.nick, caps: l.caps }));
  }
}
