/**
 * IMTP (draft §16; docs/hub-protocol.md part 2.11, part 3 rows 48-54): `listen` and `send`.
 * `send` is the hot path (docs/architecture.md part 11): no closures, no logging, headers copied once, the
 * payload handed on by reference and never looked into (docs/cpim.md row 34: `message/cpim` octets
 * unchanged).
 */
import { CodecError, HubError } from '../errors.js';
import {
  answerFromError,
  MESSAGE_ID_HEADER,
  okAnswer,
  requireHeader,
  type Answer,
} from '../protocol/index.js';
import { parseAddress, parsePattern, type ImAddress, type Pattern } from '../model/index.js';
import type { RouterContext } from './context.js';
import { dispatchSend, dispatchSendTo } from './delivery.js';
import { checkReportSender, newMessageId, readMessageId } from './message-id.js';
import { drainOffline } from './offline.js';
import type { AnswerSink, Operation, Origin } from './operation.js';
import { fanOutRoom, type Room } from './rooms.js';
import { rateKey } from './sender-rate.js';
import { authorizeSource, effectiveStrength } from './source-auth.js';
import { refuseMismatchedFrom, verifiedAuthor } from './identity.js';
import { checkHops, RelayedSend, relayHeaders } from './visited.js';

const IM = { defaultScheme: 'im' } as const;

/**
 * Parsed inboxes by header text. The same few Sender/Inbox values arrive again and again, and
 * parsing one costs more than the rest of routing a send (bench/README.md, profile of the relay
 * benchmark); parsed addresses are frozen, so sharing them is safe. Bounded: cleared when full.
 */
const INBOX_CACHE_SIZE = 4096;
const inboxCache = new Map<string, ImAddress>();

/**
 * An `im:` identifier naming an instant inbox. Scheme-less ids get `im:` (part 4 row 8); `im:alice`
 * (no domain) is `malformed` (RFC 3860 §3.4.1 check 1, docs/cpim.md row 28).
 */
export function readInbox(text: string): ImAddress {
  const cached = inboxCache.get(text);
  if (cached !== undefined) return cached;
  const a = parseAddress(text.trim(), IM);
  if (a.scheme !== 'im' || a.domain === '') throw new CodecError('not an instant inbox', 'RFC 3860 3.4.1');
  if (inboxCache.size >= INBOX_CACHE_SIZE) inboxCache.clear();
  inboxCache.set(text, a);
  return a;
}

/**
 * §16.2 send. Order of checks: syntax (Sender, Inbox, payload; rows 51, cpim row 28), size limit
 * (part 4 row 26), source authorization (§8.1, rows 25-26), loop and hop count (rows 49, 54,
 * cpim rows 32-33), the Orig-Sender's authority (identity.ts), then routing (room, adapter, listeners, next hop) with the per-route strength
 * policy (row 29). The answer comes only after the next hop answered (row 24). Our own refusals
 * are thrown synchronously (Router.handle turns them into answers); not `async`, because
 * every async layer that returns a promise costs the hot path extra microtask turns. The promise
 * returned never rejects (forward and the room fan-out answer every failure), so Router.handle
 * passes it on without a guard of its own.
 *
 * With a `sink` (issue 18, `Router.relaySend`) the answer goes to it instead and nothing is
 * returned: the same checks, thrown the same way, then `dispatchSendTo` (no promise per hop).
 */
export function handleSend(
  ctx: RouterContext,
  rooms: ReadonlyMap<string, Room>,
  op: Operation,
  origin: Origin,
): Promise<Answer>;
export function handleSend(
  ctx: RouterContext,
  rooms: ReadonlyMap<string, Room>,
  op: Operation,
  origin: Origin,
  sink: AnswerSink,
): undefined;
export function handleSend(
  ctx: RouterContext,
  rooms: ReadonlyMap<string, Room>,
  op: Operation,
  origin: Origin,
  sink?: AnswerSink,
): Promise<Answer> | undefined {
  const headers = op.headers;
  const sender = readInbox(requireHeader(headers, 'Sender'));
  const inboxText = requireHeader(headers, 'Inbox').trim();
  const inbox = readInbox(inboxText);
  // row 51: send carries a payload (MUST).
  if (op.payload === undefined) throw new HubError('malformed', 'send requires a payload');
  if (op.payload.length > ctx.limits.maxMessageBytes)
    throw new HubError('quota', `messages are limited to ${ctx.limits.maxMessageBytes} octets`);
  // Issue 15 (part 4 row 32): the gateway's message id, checked when given, else made here as the
  // send enters the gateway; every copy, kept record and history row carries the same one.
  const givenId = readMessageId(headers);
  const messageId = givenId ?? newMessageId();
  authorizeSource(ctx, origin, sender, false);
  checkReportSender(headers, sender);
  // Issue 12: the per-sender rate, after the source check so only the authenticated sender counts.
  ctx.senderRates.check(sender, rateKey(origin, headers, sender));
  const strength = effectiveStrength(origin, headers);
  const hops = checkHops(headers, ctx.token, ctx.maxVisited);
  // Issue 13 defect 3 (identity.ts): an Orig-Sender only from an origin that may speak for it.
  // After the loop check: a message that went round a circle of bridged rooms is a `loop`.
  const author = verifiedAuthor(ctx, origin, headers, sender, ctx.log);
  if (ctx.refuseMismatchedFrom) refuseMismatchedFrom(headers, op.payload, author);

  const room = rooms.get(inbox.uri);
  if (room !== undefined) {
    const answer = fanOutRoom(ctx, room, op, { sender, author, strength, hops, messageId, givenId }).then(
      undefined,
      (e: unknown) => sendFailed(ctx, e),
    );
    if (sink === undefined) return answer;
    void answer.then((a) => sink.answered(a));
    return undefined;
  }

  if (sink !== undefined) {
    // Issue 18: the relayed headers are made only if an endpoint needs them (visited.ts).
    const relayed = new RelayedSend(
      op,
      op.payload,
      hops,
      strength,
      givenId === undefined ? messageId : undefined,
    );
    dispatchSendTo(ctx, relayed, inbox, inboxText, sender, strength, sink);
    return undefined;
  }
  const relayedHeaders = relayHeaders(headers, hops, strength);
  if (givenId === undefined) relayedHeaders.push([MESSAGE_ID_HEADER, messageId]);
  const relayed: Operation = {
    protocol: op.protocol,
    method: op.method,
    headers: relayedHeaders,
    payload: op.payload,
  };
  return dispatchSend(ctx, relayed, inbox, inboxText, sender, strength);
}

function sendFailed(ctx: RouterContext, e: unknown): Answer {
  if (!(e instanceof HubError)) ctx.log?.warn({ err: e, method: 'send' }, 'operation failed');
  const answer = answerFromError(e);
  ctx.stats.refused.answer(answer);
  return answer;
}

function readPatterns(values: readonly string[]): Pattern[] {
  const out: Pattern[] = [];
  for (const v of values) out.push(parsePattern(v));
  return out;
}

/**
 * §16.1 listen (row 48). The Inbox is the source (§12): it must be a local inbox of a served
 * domain this router is home for, and the client must hold an authenticated identity covering it
 * (part 4 row 28: listen requires authentication). Re-issuing listen on the same connection
 * replaces its Only/Except filters. There is no unlisten (part 4 row 18); it ends with the
 * connection (part 4 row 15).
 */
export function handleListen(ctx: RouterContext, op: Operation, origin: Origin): Answer {
  const inbox = readInbox(requireHeader(op.headers, 'Inbox'));
  if (!ctx.isHome(inbox.domain))
    throw new HubError('source-authorization', `inboxes of ${inbox.domain} do not listen here`);
  authorizeSource(ctx, origin, inbox, true);
  // Issue 12: an identity pattern may cover any number of inboxes; a connection's listens are
  // bounded like its subscriptions. `quota` (draft §12: would exceed resource limits for the
  // source, the Inbox), named in Error-Description; a repeated listen only replaces filters.
  const max = ctx.limits.maxListensPerConnection;
  if (
    !ctx.listeners.isListening(inbox.uri, origin.connectionId) &&
    ctx.listeners.countOf(origin.connectionId) >= max
  )
    ctx.refuseQuota(`at most ${max} listens per connection`, {
      inbox: inbox.uri,
      connection: origin.connectionId,
    });
  const only: string[] = [];
  const except: string[] = [];
  for (const [name, value] of op.headers) {
    if (name === 'Only') only.push(value);
    else if (name === 'Except') except.push(value);
  }
  ctx.listeners.listen(inbox.uri, {
    connectionId: origin.connectionId,
    endpoint: origin.endpoint,
    only: readPatterns(only),
    except: readPatterns(except),
  });
  // Issue 15: what was kept for the inbox follows the answer (offline.ts); on the next turn, so
  // the `ok` is written to the connection before the first kept message.
  if (ctx.store !== null) setImmediate(drainOffline, ctx, inbox.uri);
  return okAnswer();
}
