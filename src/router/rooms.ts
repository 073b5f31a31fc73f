/**
 * Rooms (docs/architecture.md part 7): a room is a configured set of member inboxes behind the room's own
 * inbox. A send to the room is fanned out to every member except the one it came from, each
 * member once.
 *
 * How a fanned-out copy looks (choices, documented here):
 * - `Sender` is the room's inbox and `Orig-Sender` names the author: the received Sender, or its
 *   verified Orig-Sender. The room speaks from its own, served, domain, so a member
 *   on a partner gateway passes the partner's §8.1 check (its peer domain is ours), and a bridged
 *   room on the partner sees the sending room as its member and never sends the message back.
 *   The author is the verified one (identity.ts): an Orig-Sender reaches here only when the
 *   origin may speak for it, so no header can make the room skip or impersonate a member.
 * - `Orig-Inbox` names the room unless the send already listed its original recipients, which
 *   then stay (draft §16.2: Orig-Inbox lists all original recipients, part 3 row 50).
 * - `Inbox` is the member; Visited gains our token and the hop count drops by one, exactly as for
 *   any relay (rows 49, 54; part 5.2), so rooms bridged into a circle end in `loop`.
 * - The payload is the same octets (never re-serialized, docs/cpim.md row 34).
 *
 * Who may post: members (the received Sender), or anyone when the room is `open`; others get
 * `target-authorization` (the Inbox is the target, draft §12). The origin member is the received
 * Sender, and the verified author (identity.ts) when it is a member too; neither gets the copy.
 *
 * The answer (draft §16.2 merge, row 53, applied to members): ok if any member accepted (an
 * end receipt preferred, one auto-reply payload kept). So the sender can see partial failure, each
 * member that failed is listed in a `Room-Failed: <member URI> <Error-Type>` header (repeatable,
 * an extension header: endpoints that do not know it ignore it, draft §10). When every member
 * failed the answer is the first member's error, with the same Room-Failed lines; a room with no
 * member to deliver to answers `no-listeners`.
 *
 * With a store and `storage.history.enabled` (issue 15, room-history.ts), every post is first
 * written to the room's history, and a post no member was there to take (every copy was
 * `no-listeners` or kept offline, or there was no other member) is answered `ok` + `Unreliable` +
 * `Stored: history` (with its Room-Failed lines) instead: it is kept, and readable in the
 * history. A member whose delivery failed otherwise keeps the answer as it was.
 */
import { HubError } from '../errors.js';
import {
  answerFromError,
  errorTypeOf,
  MESSAGE_ID_HEADER,
  type Answer,
  type Header,
  type Strength,
} from '../protocol/index.js';
import type { Address, ImAddress } from '../model/index.js';
import type { RoomConfig, RouterContext } from './context.js';
import { dispatchSend } from './delivery.js';
import { mergeAnswers } from './merge.js';
import type { Operation } from './operation.js';
import { keepInHistory, onlyAbsent, storedInHistory } from './room-history.js';
import { relayHeaders, type HopState } from './visited.js';

export const ROOM_FAILED_HEADER = 'Room-Failed';

export interface Room {
  readonly config: RoomConfig;
  /** Members, each once, in configured order. */
  readonly members: readonly ImAddress[];
  readonly memberUris: ReadonlySet<string>;
  /** `Inbox: <member>` of each member, same order: made once, shared by every copy (issue 18). */
  readonly inboxHeaders: readonly Header[];
  /** `Sender: <room>` and `Orig-Inbox: <room>`, made once (header tuples are never changed). */
  readonly senderHeader: Header;
  readonly origInboxHeader: Header;
}

export function makeRoom(config: RoomConfig): Room {
  const members: ImAddress[] = [];
  const memberUris = new Set<string>();
  const inboxHeaders: Header[] = [];
  for (const m of config.members) {
    if (memberUris.has(m.uri)) continue;
    memberUris.add(m.uri);
    members.push(m);
    inboxHeaders.push(['Inbox', m.uri]);
  }
  const uri = config.address.uri;
  return {
    config,
    members,
    memberUris,
    inboxHeaders,
    senderHeader: ['Sender', uri],
    origInboxHeader: ['Orig-Inbox', uri],
  };
}

const ignore = (): undefined => undefined;

/** The operation `op` with the headers of a member's copy (the payload's octets are shared). */
function copyOf(op: Operation, headers: readonly Header[]): Operation {
  return op.payload === undefined
    ? { protocol: op.protocol, method: op.method, headers }
    : { protocol: op.protocol, method: op.method, headers, payload: op.payload };
}

/** A member's copy; our own refusals (thrown by dispatchSend) become that member's answer. */
function deliverOne(
  ctx: RouterContext,
  op: Operation,
  member: ImAddress,
  sender: Address,
  strength: Strength,
): Promise<Answer> {
  try {
    return dispatchSend(ctx, op, member, member.uri, sender, strength).then(undefined, answerFromError);
  } catch (e) {
    return Promise.resolve(answerFromError(e));
  }
}

/**
 * The headers every copy shares, in one pass over the received ones: relayHeaders (Visited,
 * Max-Forwards, Astrength), then Sender set to the room, Orig-Sender set to the verified author, Orig-Inbox added when absent (the room), and a placeholder last, where each
 * copy's Inbox goes (Inbox is moved to the end, as setHeader on a header list without it would).
 */
function commonHeaders(
  op: Operation,
  room: Room,
  hops: HopState,
  strength: Strength,
  author: ImAddress,
): { headers: Header[]; inboxAt: number } {
  // relayHeaders returns a list of its own: edited in place (no second list per post).
  const out = relayHeaders(op.headers, hops, strength);
  const n = out.length;
  let w = 0;
  let senderDone = false;
  let hasOrigInbox = false;
  let inboxAt = -1;
  // The received Orig-Sender is dropped; its tuple is reused when it already names the author.
  let origSender: Header | undefined;
  for (let i = 0; i < n; i++) {
    const h = out[i]!;
    const name = h[0];
    if (name === 'Sender') {
      if (!senderDone) out[w++] = room.senderHeader;
      senderDone = true;
    } else if (name === 'Inbox') {
      if (inboxAt < 0) {
        inboxAt = w;
        out[w++] = h;
      }
    } else if (name !== 'Orig-Sender') {
      if (name === 'Orig-Inbox') hasOrigInbox = true;
      out[w++] = h;
    } else if (h[1] === author.uri) origSender = h;
  }
  out.length = w;
  if (!senderDone) out.push(room.senderHeader);
  out.push(origSender ?? ['Orig-Sender', author.uri]);
  if (!hasOrigInbox) out.push(room.origInboxHeader);
  if (inboxAt < 0) {
    inboxAt = out.length;
    out.push(['Inbox', '']);
  }
  return { headers: out, inboxAt };
}

/** What handleSend (imtp.ts) learned about a post before it reached the room. */
export interface RoomPost {
  /** The received Sender. */
  readonly sender: ImAddress;
  /** The verified author (identity.ts). */
  readonly author: ImAddress;
  readonly strength: Strength;
  readonly hops: HopState;
  /** The post's Message-ID (message-id.ts): the received one, or one made for it. */
  readonly messageId: string;
  /** The received Message-ID; undefined when the router made one (then the copies get it). */
  readonly givenId: string | undefined;
}

export async function fanOutRoom(
  ctx: RouterContext,
  room: Room,
  op: Operation,
  post: RoomPost,
): Promise<Answer> {
  const { sender, author, strength } = post;
  if (!room.config.open && !room.memberUris.has(sender.uri))
    throw new HubError('target-authorization', 'only members may send to this room');

  const started = performance.now();
  // Issue 15: the post is in the room's history before its sender is answered (room-history.ts).
  // The write runs while the copies go out: members who listen get the post without waiting for
  // the commit (on the writer thread, docs/storage.md), the sender's answer waits for both. The
  // catch only marks the rejection handled until it is awaited below.
  const keeping = keepInHistory(ctx, room, op, post);
  keeping.catch(ignore);
  const { headers: common, inboxAt } = commonHeaders(op, room, post.hops, strength, author);
  if (post.givenId === undefined) common.push([MESSAGE_ID_HEADER, post.messageId]);

  // Issue 18: the copies share everything but Inbox. The last member's copy is the shared header
  // list itself, so a room of two (a bridged channel and one user, the usual case) makes no
  // per-member list at all; the others get a copy of it with their Inbox (a header list is
  // handed on by reference and may be read after this turn, so none is changed once given).
  const members = room.members;
  let last = -1;
  let count = 0;
  for (let i = 0; i < members.length; i++) {
    const uri = members[i]!.uri;
    if (uri === sender.uri || uri === author.uri) continue;
    last = i;
    count++;
  }
  if (count === 0) {
    if (!(await keeping)) throw new HubError('no-listeners', 'the room has no other member');
    const answer = storedInHistory(room, undefined);
    ctx.stats.routes.room.delivered(answer, performance.now() - started);
    return answer;
  }
  const from = room.config.address;
  // The member of each answer: members[last] for a single copy (no list made), else targets[i].
  const targets: ImAddress[] = [];
  let answers: Answer[];
  if (count === 1) {
    // One copy: awaited here, without deliverOne's promise for our own refusals.
    const member = members[last]!;
    common[inboxAt] = room.inboxHeaders[last]!;
    let a: Answer;
    try {
      a = await dispatchSend(ctx, copyOf(op, common), member, member.uri, from, strength);
    } catch (e) {
      a = answerFromError(e);
    }
    answers = [a];
  } else {
    const pending: Promise<Answer>[] = [];
    for (let i = 0; i <= last; i++) {
      const member = members[i]!;
      if (member.uri === sender.uri || member.uri === author.uri) continue;
      const headers = i === last ? common : common.slice();
      headers[inboxAt] = room.inboxHeaders[i]!;
      targets.push(member);
      pending.push(deliverOne(ctx, copyOf(op, headers), member, from, strength));
    }
    answers = await Promise.all(pending);
  }
  const kept = await keeping;

  let failed: Header[] | undefined;
  for (let i = 0; i < answers.length; i++) {
    const t = errorTypeOf(answers[i]!);
    if (t === undefined) continue;
    const member = count === 1 ? members[last]! : targets[i]!;
    (failed ??= []).push([ROOM_FAILED_HEADER, `${member.uri} ${t}`]);
  }
  // Issue 15: a post no member was there to take is kept all the same: in the history.
  let answer: Answer;
  if (kept && onlyAbsent(answers)) answer = storedInHistory(room, failed);
  else {
    const merged = answers.length === 1 ? answers[0]! : mergeAnswers(answers);
    answer = failed === undefined ? merged : { ...merged, headers: [...merged.headers, ...failed] };
  }
  // Issue 14: the room's merged answer and its fan-out time (each copy is counted by its route).
  ctx.stats.routes.room.delivered(answer, performance.now() - started);
  return answer;
}
