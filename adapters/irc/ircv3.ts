/**
 * The IRCv3 parts of one IRC adapter (issue 17; docs/message-semantics.md):
 * which caps each connection asks for and got, the labels that learn our own lines' msgids
 * (echoes.ts), and the hooks through which the core codec carries replies and reactions
 * (relations.ts). Without a store, or on a server without the caps (ngircd), nothing here
 * changes a line.
 */
import type { Logger, MessageIds, Operation } from '../../src/index.js';
import { wantedCaps, type IrcCaps } from './caps.js';
import { OwnMsgids } from './echoes.js';
import type { IrcLink } from './link.js';
import type { IrcRelations } from './relations.js';
import { ReplyAuthors } from './reply-quote.js';

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

  constructor(
    readonly messageIds: MessageIds | undefined,
    readonly hooks: IrcRelationHooks,
    maxLabels: number,
    /** The bounds of the authors kept: those of `correspondents` (one entry per line, not per nick). */
    authorsKept: { maxEntries: number; maxAgeMs: number },
    replies: { quote: 'older' | 'never'; quoteChars: number },
    private readonly log: Logger,
  ) {
    this.ownIds = messageIds === undefined ? null : new OwnMsgids(messageIds, maxLabels, log);
    this.authors = hooks.relationsOf === undefined ? undefined : new ReplyAuthors(authorsKept, replies);
  }

  /** The caps a connection asks for: echo-message only when the msgids can be kept. */
  caps(main: boolean): string[] {
    return wantedCaps(main, this.ownIds !== null);
  }

  /** A new connection (main or puppet): its echoes are watched, its caps logged once registered. */
  watch(link: IrcLink): IrcLink {
    this.ownIds?.watch(link);
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
