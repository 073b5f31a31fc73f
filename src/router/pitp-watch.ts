/**
 * PITP watcher-side commands (draft §11.7, §15.2, §15.4, §15.11, §15.14, §15.15; part 3 rows
 * 41-44, 47): fetch, subscribe and unsubscribe, answered from the store when this router is the
 * presentity's home and forwarded to the presentity's server otherwise; and change-notify /
 * terminate-notify from a foreign presentity server, passed to the local watcher.
 *
 * Connection-id discipline (§11.7, rows 43-44): a client's Subscription carries an empty
 * connection-id (else `malformed`); this router mints one token per client connection, uses it
 * upstream and in watcher information, reuses it for the client's unsubscribe, and blanks it in
 * every notify toward the client. Servers and adapters bring their own tokens.
 *
 * Decision (the draft is silent): a fetch/subscribe for a foreign presentity is forwarded only for
 * our own clients and adapters; one arriving from a peer is answered `target-not-found` (PITP has
 * no loop protection, part 2.13, so this router never relays presence between two other domains).
 */
import { ERROR_TYPES, HubError, type ErrorType } from '../errors.js';
import {
  errorTypeOf,
  getHeader,
  okAnswer,
  requireHeader,
  setHeader,
  type Answer,
  type Strength,
} from '../protocol/index.js';
import type { PresAddress } from '../model/index.js';
import type { RouterContext } from './context.js';
import type { Endpoint, Operation, Origin } from './operation.js';
import { wiSubscription, dropSubscription } from './pitp-notify.js';
import {
  acceptOf,
  piOf,
  presentTo,
  presentityOf,
  readPresentity,
  subscriptionOf,
  withPiType,
  type PresentityHeader,
} from './pitp-read.js';
import { wiFetch } from './pitp-store.js';
import { forward } from './relay.js';
import { checkConnectionQuota, checkLocalSubscriptionQuota } from './subscription-quota.js';
import { authorizeSource, effectiveStrength } from './source-auth.js';
import type { Subscription } from './subscriptions.js';
import { relayHeaders } from './visited.js';

/** A PI-carrying ok as the origin accepts it (the `translate` seam, docs/hub-protocol.md part 5.4). */
function presentAnswer(
  ctx: RouterContext,
  answer: Answer,
  accept: readonly string[] | undefined,
  presentity: string,
): Answer {
  if (answer.status !== 'ok' || answer.payload === undefined || accept === undefined) return answer;
  const ct = getHeader(answer.headers, 'Content-Type');
  const pi = ct === undefined ? { bytes: answer.payload } : { contentType: ct, bytes: answer.payload };
  const shown = presentTo(ctx, pi, accept, presentity);
  if (shown === pi) return answer;
  const headers =
    shown.contentType === undefined
      ? answer.headers
      : setHeader(answer.headers, 'Content-Type', shown.contentType);
  return { status: 'ok', headers, payload: shown.bytes };
}

/**
 * Forwards a watcher command for a presentity we are not home for to its server (draft §8: relay
 * unless rejecting, and answer only after the next hop, row 24). `unresolved` is the error for
 * "nowhere to send it": target-not-found where the method has a target, not-subscribed for
 * unsubscribe (row 32).
 */
function relayToPresentity(
  ctx: RouterContext,
  op: Operation,
  origin: Origin,
  presentity: PresAddress,
  unresolved: 'target-not-found' | 'not-subscribed',
): Promise<Answer> {
  const domain = presentity.domain;
  const dest = ctx.resolve(domain);
  if (dest === null || dest.kind === 'local')
    throw new HubError(unresolved, `no presence service for ${domain}`);
  if (dest.kind === 'adapter' && dest.capabilities.presence !== 'serve')
    throw new HubError(unresolved, `${domain} has no presence`);
  if (dest.kind === 'remote' && origin.kind === 'peer')
    throw new HubError(unresolved, `presence of ${domain} is not relayed for other servers`);
  return forward(dest.endpoint, op, dest.endpoint.domain ?? domain);
}

function routeTo(ctx: RouterContext, domain: string): Endpoint | null {
  const d = ctx.resolve(domain);
  return d === null || d.kind === 'local' ? null : d.endpoint;
}

function relayedOp(op: Operation, strength: Strength, subscription?: string): Operation {
  let headers = relayHeaders(op.headers, null, strength);
  if (subscription !== undefined) headers = setHeader(headers, 'Subscription', subscription);
  return { protocol: op.protocol, method: op.method, headers };
}

/** The PI `watcher` may see of a presentity we are home for; target errors otherwise (row 41, §5). */
function viewFor(ctx: RouterContext, p: PresentityHeader, watcher: PresAddress) {
  const store = ctx.stores.get(p.address.uri);
  // Decision: a presentity whose owner never set up a store does not exist here.
  if (store === undefined) throw new HubError('target-not-found', 'no such presentity');
  const pi = store.view(watcher);
  // §5, row 34: no matching mapping, or one without PI ⇒ denied.
  if (pi === null) throw new HubError('target-authorization', 'presence denied');
  return pi;
}

/** §15.4 fetch (row 41): the ok carries the PI as that watcher sees it. */
export async function handleFetch(ctx: RouterContext, op: Operation, origin: Origin): Promise<Answer> {
  const watcherText = requireHeader(op.headers, 'Watcher').trim();
  const watcher = readPresentity(watcherText);
  const p = presentityOf(op.headers);
  authorizeSource(ctx, origin, watcher, false);
  const strength = effectiveStrength(origin, op.headers);
  const accept = acceptOf(op, origin);
  if (ctx.isPresenceHome(p.address.domain)) {
    const pi = presentTo(ctx, viewFor(ctx, p, watcher), accept, p.text);
    wiFetch(ctx, p.address.uri, p.text, watcherText);
    return okAnswer(withPiType([], pi), pi.bytes);
  }
  ctx.checkStrength(p.address.domain, strength);
  const answer = await relayToPresentity(ctx, relayedOp(op, strength), origin, p.address, 'target-not-found');
  return presentAnswer(ctx, answer, accept, p.text);
}

/** The token this origin's subscriptions go under (§11.7, rows 43-44). */
function tokenOf(ctx: RouterContext, origin: Origin, given: string): string {
  if (origin.kind !== 'client') return given;
  if (given !== '') throw new HubError('malformed', 'a client sends an empty connection-id');
  return ctx.tokens.tokenFor(origin.connectionId);
}

/** What subscribe and unsubscribe both carry (§15.11, §15.15), read with the source checked. */
interface WatchRequest {
  readonly s: ReturnType<typeof subscriptionOf>;
  /** The token the subscription goes under (tokenOf). */
  readonly token: string;
  readonly p: PresentityHeader;
  readonly strength: Strength;
}

function watchRequest(ctx: RouterContext, op: Operation, origin: Origin): WatchRequest {
  const s = subscriptionOf(op.headers);
  const token = tokenOf(ctx, origin, s.token);
  const p = presentityOf(op.headers);
  authorizeSource(ctx, origin, s.watcher, false);
  return { s, token, p, strength: effectiveStrength(origin, op.headers) };
}

/** A subscribe or unsubscribe toward the presentity's server, under our token (rows 43-44). */
function relayWatch(
  ctx: RouterContext,
  op: Operation,
  origin: Origin,
  w: WatchRequest,
  unknown: 'target-not-found' | 'not-subscribed',
): Promise<Answer> {
  const subscription = w.token + '/' + w.s.watcherText;
  return relayToPresentity(ctx, relayedOp(op, w.strength, subscription), origin, w.p.address, unknown);
}

/**
 * The PI a new subscription starts from, at home. A refusal by the store goes first to an adapter
 * that `asksWatchers` (RFC 3922 §6.2: a CPIM subscribe to an XMPP user becomes an XMPP
 * subscription request the user answers); its `ok` means it has published a mapping for the
 * watcher since, so the store is asked again. The adapter's own subscribes are never sent back
 * to it.
 */
async function homeView(ctx: RouterContext, op: Operation, origin: Origin, w: WatchRequest) {
  try {
    return viewFor(ctx, w.p, w.s.watcher);
  } catch (err) {
    const dest = ctx.resolve(w.p.address.domain);
    if (
      !(err instanceof HubError) ||
      (err.type !== 'target-not-found' && err.type !== 'target-authorization') ||
      dest === null ||
      dest.kind !== 'adapter' ||
      dest.capabilities.asksWatchers !== true ||
      (origin.kind === 'adapter' && origin.endpoint === dest.endpoint)
    )
      throw err;
    const asked = await forward(
      dest.endpoint,
      relayedOp(op, w.strength, w.token + '/' + w.s.watcherText),
      w.p.address.domain,
    );
    if (asked.status !== 'ok') throw refusalOf(asked, err);
    return viewFor(ctx, w.p, w.s.watcher);
  }
}

/** The adapter's refusal as the subscribe's own error (its type when it is one of ours). */
function refusalOf(answer: Answer, fallback: HubError): HubError {
  const type = errorTypeOf(answer);
  const known = (ERROR_TYPES as readonly string[]).includes(type ?? '');
  return new HubError(
    known ? (type as ErrorType) : fallback.type,
    getHeader(answer.headers, 'Error-Description') ?? fallback.message,
  );
}

/** §15.11 subscribe (rows 41, 43, 44): ok carries the current PI; changes follow as change-notify. */
export async function handleSubscribe(ctx: RouterContext, op: Operation, origin: Origin): Promise<Answer> {
  const w = watchRequest(ctx, op, origin);
  const { s, token, p, strength } = w;
  const accept = acceptOf(op, origin);
  if (ctx.isPresenceHome(p.address.domain)) {
    const view = await homeView(ctx, op, origin, w);
    const existing = ctx.subscriptions.get(p.address.uri, token, s.watcher.uri);
    if (existing === undefined) checkLocalSubscriptionQuota(ctx, origin, p.address.uri, s.watcher.uri);
    const sub: Subscription = {
      presentity: p.address.uri,
      presentityText: p.text,
      watcher: s.watcher,
      watcherText: s.watcherText,
      token,
      kind: origin.kind,
      connectionId: origin.connectionId,
      endpoint: origin.kind === 'peer' ? null : origin.endpoint,
      blank: origin.kind === 'client',
      accept,
      view,
    };
    // Decision: a subscribe repeating an existing (token, watcher, presentity) refreshes it; the
    // watcher keeps one subscription and hears each change once.
    const kept = ctx.subscriptions.put(sub);
    if (existing === undefined) wiSubscription(ctx, sub, 'subscribe-notify');
    // Issue 15: an adapter's or a peer's subscription is kept across restarts; the ok waits for
    // the commit, and one the store refused ends again and is answered `resources`.
    if (kept !== undefined)
      await kept.catch((err: unknown) => {
        dropSubscription(ctx, sub);
        throw err;
      });
    const pi = presentTo(ctx, view, accept, p.text);
    return okAnswer(withPiType([], pi), pi.bytes);
  }
  ctx.checkStrength(p.address.domain, strength);
  // Issue 19: a client's subscriptions at other domains count toward its connection's bound.
  if (origin.kind === 'client' && ctx.relayed.get(p.address.uri, token, s.watcher.uri) === undefined)
    checkConnectionQuota(ctx, origin);
  const upstream = ctx.resolve(p.address.domain);
  const answer = await relayWatch(ctx, op, origin, w, 'target-not-found');
  if (answer.status === 'ok' && upstream !== null && upstream.kind !== 'local')
    ctx.relayed.put({
      presentity: p.address.uri,
      presentityText: p.text,
      watcher: s.watcher,
      watcherText: s.watcherText,
      token,
      // A peer (here only toward an adapter serving presence) keeps its subscription beyond
      // the connection (part 4 row 15) and gets notifies over our route to it (part 4 row 13).
      connectionId: origin.kind === 'peer' ? '' : origin.connectionId,
      endpoint:
        origin.kind === 'peer' ? (routeTo(ctx, s.watcher.domain) ?? origin.endpoint) : origin.endpoint,
      blank: origin.kind === 'client',
      accept,
      upstream: upstream.endpoint,
      strength,
    });
  return presentAnswer(ctx, answer, accept, p.text);
}

/** §15.15 unsubscribe (rows 44, 47): same token as the subscribe; unknown ⇒ `not-subscribed`. */
export async function handleUnsubscribe(ctx: RouterContext, op: Operation, origin: Origin): Promise<Answer> {
  const w = watchRequest(ctx, op, origin);
  const { s, token, p } = w;
  if (ctx.isPresenceHome(p.address.domain)) {
    const sub = ctx.subscriptions.get(p.address.uri, token, s.watcher.uri);
    if (sub === undefined) throw new HubError('not-subscribed', 'no such subscription');
    dropSubscription(ctx, sub);
    return okAnswer();
  }
  const answer = await relayWatch(ctx, op, origin, w, 'not-subscribed');
  if (answer.status === 'ok' || errorTypeOf(answer) === 'not-subscribed')
    ctx.relayed.delete(p.address.uri, token, s.watcher.uri);
  return answer;
}

/**
 * change-notify / terminate-notify from a presentity's server (or an adapter serving presence)
 * for a local watcher (§15.2, §15.14; rows 42, 44): found by (token, watcher, presentity), passed
 * on with the token blanked toward a client, the PI verbatim, Unreliable in the answer kept
 * (row 42). change-notify's source is the Presentity (§12, row 26); terminate-notify has no
 * source, so a sender that may not speak for the presentity simply finds no subscription.
 */
export async function handleWatcherNotify(
  ctx: RouterContext,
  op: Operation,
  origin: Origin,
): Promise<Answer> {
  const p = presentityOf(op.headers);
  const s = subscriptionOf(op.headers);
  const isChange = op.method === 'change-notify';
  if (isChange) {
    authorizeSource(ctx, origin, p.address, false);
    if (op.payload === undefined) throw new HubError('malformed', 'change-notify requires a payload');
    piOf(ctx, op);
  } else {
    try {
      authorizeSource(ctx, origin, p.address, false);
    } catch {
      throw new HubError('not-subscribed', 'no such subscription');
    }
  }
  const rec = ctx.relayed.get(p.address.uri, s.token, s.watcher.uri);
  if (rec === undefined) throw new HubError('not-subscribed', 'no such subscription');
  const strength = effectiveStrength(origin, op.headers);
  let headers = relayHeaders(op.headers, null, strength);
  if (rec.blank) headers = setHeader(headers, 'Subscription', '/' + s.watcherText);
  let out: Operation = { protocol: op.protocol, method: op.method, headers };
  if (op.payload !== undefined) {
    const shown = presentAnswer(ctx, { status: 'ok', headers, payload: op.payload }, rec.accept, p.text);
    out = { protocol: op.protocol, method: op.method, headers: shown.headers, payload: shown.payload! };
  }
  // part 4 row 21: a client's error names the watcher it acted for.
  const answer = await forward(
    rec.endpoint,
    out,
    rec.blank ? s.watcherText : (rec.endpoint.domain ?? s.watcher.domain),
  );
  if (!isChange || errorTypeOf(answer) === 'not-subscribed')
    ctx.relayed.delete(p.address.uri, s.token, s.watcher.uri);
  return answer;
}
