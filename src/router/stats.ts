/**
 * What the router counts for the operations endpoint (docs/operations.md): sends by route kind
 * and answer, the latency of each delivery to its next hop, and the sends the router refused
 * itself. Plain integers updated where the answer is already in hand (relay.ts `forward`'s one
 * reaction), read by src/ops/metrics.ts when scraped: no label strings and no extra promise per
 * message (issue 14).
 */
import {
  AnswerTally,
  STORED_HEADER,
  STORED_HISTORY,
  STORED_OFFLINE,
  STORED_QUEUED,
  Tally,
  type Answer,
} from '../protocol/index.js';
import { LatencyHistogram } from '../policy/index.js';

/** Where a send went: listening hub clients, an adapter, a peer gateway, or a room's fan-out. */
export type RouteKind = 'local' | 'adapter' | 'remote' | 'room';
export const ROUTE_KINDS: readonly RouteKind[] = ['local', 'adapter', 'remote', 'room'];

/** The `Stored` values of an `ok` answer (docs/hub-protocol.md part 4, row "Stored"). */
export const STORED_KINDS: readonly string[] = [STORED_OFFLINE, STORED_HISTORY, STORED_QUEUED];

/** One route kind: answers by kind, and (not for rooms, whose members are counted) latency. */
export class RouteStats {
  readonly answers = new AnswerTally();
  readonly latency = new LatencyHistogram();
  /**
   * Of the `ok` answers, those that say the message was kept, not delivered (`Stored: offline`,
   * `history`, `queued`): an `ok` alone does not tell the operator that nobody has it yet.
   */
  readonly stored = new Tally(STORED_KINDS);

  /** One delivery answered after `ms` milliseconds. */
  delivered(answer: Answer, ms: number): void {
    this.answers.answer(answer);
    this.latency.observe(ms);
    if (answer.status !== 'ok') return;
    // A scan of the few headers of an answer, no allocation (issue 14: nothing built per message).
    const headers = answer.headers;
    for (let i = 0; i < headers.length; i++)
      if (headers[i]![0] === STORED_HEADER) {
        this.stored.count(headers[i]![1].trim());
        return;
      }
  }
}

export class RouterStats {
  readonly routes: Readonly<Record<RouteKind, RouteStats>> = {
    local: new RouteStats(),
    adapter: new RouteStats(),
    remote: new RouteStats(),
    room: new RouteStats(),
  };
  /** Sends the router answered itself with an error before any next hop (checks, rate, no route). */
  readonly refused = new AnswerTally();
}
