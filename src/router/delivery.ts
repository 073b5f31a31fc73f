/**
 * Delivering a `send` that has passed its checks and carries its relayed headers: to an adapter,
 * to the listening connections of a local inbox, or to the next hop for a foreign domain
 * (docs/architecture.md part 2). Shared by plain sends (imtp.ts) and room fan-out (rooms.ts).
 * Hot path (docs/architecture.md part 11): no closures, no logging, the payload passed by reference.
 */
import { HubError } from '../errors.js';
import { answerFromError, type Answer, type Strength } from '../protocol/index.js';
import type { Address, ImAddress } from '../model/index.js';
import type { Destination, RouterContext } from './context.js';
import { mergeAnswers } from './merge.js';
import { drainOf, keepOffline, mayKeepOffline } from './offline.js';
import type { AnswerSink, Operation } from './operation.js';
import { forward, forwardTo } from './relay.js';
import { plainOperation } from './visited.js';

/**
 * Where a send to `inbox` goes, after the checks every route makes: `target-not-found` when the
 * domain resolves nowhere, the route's minimum strength (row 29), and an adapter's maximum
 * message size (part 4 row 26), all thrown as HubErrors.
 */
function routeOf(ctx: RouterContext, op: Operation, inbox: ImAddress, strength: Strength): Destination {
  const dest = ctx.resolve(inbox.domain);
  if (dest === null) throw new HubError('target-not-found', `no route to ${inbox.domain}`);
  ctx.checkStrength(inbox.domain, strength);
  if (dest.kind === 'adapter') {
    const max = dest.capabilities.maxMessageSize;
    if (max !== undefined && op.payload !== undefined && op.payload.length > max)
      throw new HubError('quota', `the destination takes at most ${max} octets`);
  }
  return dest;
}

/**
 * Routes one relayed send to `inbox`. Throws a HubError for our own refusals:
 * `target-not-found` when the domain resolves nowhere (docs/cpim.md row 29, RFC 3860 §3.4.1 check 2),
 * `source-authorization` below the route's minimum strength (row 29), `quota` above an adapter's
 * maximum message size (part 4 row 26), `no-listeners` (row 54), `target-not-found` for a home inbox
 * no account may listen for.
 */
export function dispatchSend(
  ctx: RouterContext,
  op: Operation,
  inbox: ImAddress,
  inboxText: string,
  sender: Address,
  strength: Strength,
): Promise<Answer> {
  const dest = routeOf(ctx, op, inbox, strength);
  switch (dest.kind) {
    case 'local':
      return deliverLocal(ctx, op, inbox, inboxText, sender);
    case 'adapter':
      return forward(dest.endpoint, op, dest.endpoint.domain ?? inbox.domain, ctx.stats.routes.adapter);
    case 'remote':
      return forward(dest.endpoint, op, dest.endpoint.domain ?? inbox.domain, ctx.stats.routes.remote);
  }
}

/**
 * `dispatchSend` answering `sink` (issue 18, the relay path): the same checks and refusals
 * (thrown), and the common cases (one listening connection, an adapter, a peer) go to
 * `forwardTo` with no promise per hop. Everything unusual (several listeners, none, a drain
 * under way) takes `deliverLocal`'s promise.
 */
export function dispatchSendTo(
  ctx: RouterContext,
  op: Operation,
  inbox: ImAddress,
  inboxText: string,
  sender: Address,
  strength: Strength,
  sink: AnswerSink,
): void {
  const dest = routeOf(ctx, op, inbox, strength);
  switch (dest.kind) {
    case 'local': {
      if (ctx.offline.drains.size === 0) {
        const targets = ctx.listeners.accepting(inbox.uri, sender);
        if (targets.length === 1) {
          forwardTo(targets[0]!.endpoint, op, inboxText, ctx.stats.routes.local, sink);
          return;
        }
      }
      deliverLocal(ctx, plainOperation(op), inbox, inboxText, sender).then(
        (a) => sink.answered(a),
        (e: unknown) => sink.answered(answerFromError(e)),
      );
      return;
    }
    case 'adapter': {
      forwardTo(dest.endpoint, op, dest.endpoint.domain ?? inbox.domain, ctx.stats.routes.adapter, sink);
      return;
    }
    case 'remote':
      forwardTo(dest.endpoint, op, dest.endpoint.domain ?? inbox.domain, ctx.stats.routes.remote, sink);
  }
}

/**
 * The inbox's home server fans out to every listening connection that admits the sender
 * (§16.1, §16.2, rows 48, 53). None: kept for the inbox when offline delivery allows it
 * (offline.ts, part 4 row 23), else `no-listeners` (row 54). An error from a client is passed on
 * with `Error-Originator` = the inbox the client listened for (part 4 row 21).
 */
function deliverLocal(
  ctx: RouterContext,
  op: Operation,
  inbox: ImAddress,
  inboxText: string,
  sender: Address,
): Promise<Answer> {
  // Issue 15: a send never overtakes the kept messages being drained to a new listener.
  if (ctx.offline.drains.size !== 0) {
    const drain = drainOf(ctx, inbox.uri);
    if (drain !== undefined) return drain.then(() => deliverLocalAnswer(ctx, op, inbox, inboxText, sender));
  }
  const targets = ctx.listeners.accepting(inbox.uri, sender);
  if (targets.length === 0) {
    // Row 29 / §16.2: an inbox no account may listen for is no inbox at all (issue 13: mail
    // to it is refused for good, 550 5.1.1, instead of retried for days on 450).
    if (!ctx.mayListen(inbox)) throw new HubError('target-not-found', 'no such inbox');
    const store = ctx.store;
    if (store !== null && mayKeepOffline(ctx, op, inbox)) return keepOffline(ctx, store, op, inbox);
    throw new HubError('no-listeners', 'nobody is listening on this inbox');
  }
  const stats = ctx.stats.routes.local;
  if (targets.length === 1) return forward(targets[0]!.endpoint, op, inboxText, stats);
  const pending: Promise<Answer>[] = [];
  for (let i = 0; i < targets.length; i++) pending.push(forward(targets[i]!.endpoint, op, inboxText, stats));
  return Promise.all(pending).then(safeMerge);
}

/** deliverLocal after waiting for a drain: its refusals become the answer (never a rejection). */
function deliverLocalAnswer(
  ctx: RouterContext,
  op: Operation,
  inbox: ImAddress,
  inboxText: string,
  sender: Address,
): Promise<Answer> {
  try {
    return deliverLocal(ctx, op, inbox, inboxText, sender);
  } catch (e) {
    return Promise.resolve(answerFromError(e));
  }
}

/** mergeAnswers, never throwing: the send path's promise never rejects (router.ts). */
function safeMerge(answers: readonly Answer[]): Answer {
  try {
    return mergeAnswers(answers);
  } catch (e) {
    return answerFromError(e);
  }
}
