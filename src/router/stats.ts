/**
 * What the router counts for the operations endpoint (docs/operations.md): sends by route kind
 * and answer, the latency of each delivery to its next hop, and the sends the router refused
 * itself. Plain integers updated where the answer is already in hand (relay.ts `forward`'s one
 * reaction), read by src/ops/metrics.ts when scraped: no label strings and no extra promise per
 * message (issue 14).
 */
import { AnswerTally, type Answer } from '../protocol/index.js';
import { LatencyHistogram } from '../policy/index.js';

/** Where a send went: listening hub clients, an adapter, a peer gateway, or a room's fan-out. */
export type RouteKind = 'local' | 'adapter' | 'remote' | 'room';
export const ROUTE_KINDS: readonly RouteKind[] = ['local', 'adapter', 'remote', 'room'];

/** One route kind: answers by kind, and (not for rooms, whose members are counted) latency. */
export class RouteStats {
  readonly answers = new AnswerTally();
  readonly latency = new LatencyHistogram();

  /** One delivery answered after `ms` milliseconds. */
  delivered(answer: Answer, ms: number): void {
    this.answers.answer(answer);
    this.latency.observe(ms);
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
