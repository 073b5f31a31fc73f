/**
 * The per-connection and per-command records of a peer link (link.ts), kept apart so the link's
 * file stays one concept.
 */
import type { ResponseFrame } from '../hub/frame/index.js';
import type { HubClient } from '../hub/client.js';
import type { AnswerSink, Operation } from '../router/index.js';
import type { PeerLink } from './link.js';

/**
 * One connection of the link. Issue 18: commands are numbered instead of each having an object
 * in a set: a command is "cut" (unanswered when the peer closed, draft §7) when it was issued
 * before the close was seen (`seq <= cutUpTo`) and its answer is seen after it.
 */
export interface Conn {
  client: HubClient | null;
  /** Our commands on it awaiting their answer. */
  inflight: number;
  /** Commands issued on it so far (the last one's number). */
  issued: number;
  /** `issued` when the close was seen; 0 while open. */
  cutUpTo: number;
  /** The close was seen (`closed`'s reaction ran; `cutUpTo` is set). */
  closeSeen: boolean;
  draining: boolean;
}

/** One command relayed on the link (issue 18): its answer comes back by a method call. */
export class LinkCommand {
  constructor(
    private readonly link: PeerLink,
    readonly conn: Conn,
    readonly seq: number,
    readonly source: string,
    readonly op: Operation,
    readonly sink: AnswerSink,
  ) {}

  answered(r: ResponseFrame): void {
    this.link.commandAnswered(this, r);
  }
}
