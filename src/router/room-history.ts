/**
 * Room history (issue 15; docs/gateway.md "Room history"; docs/hub-protocol.md part 4 row 33):
 * with a store and `storage.history.enabled`, every post to a room is appended to the room's
 * history before its sender is answered: conversation = the room's URI, source = the verified
 * author (identity.ts), destination = the room, the send's content type (`message/cpim` for
 * Message/CPIM) and the payload octets unchanged (docs/cpim.md row 34), id = its Message-ID.
 * The write runs while the copies go out (rooms.ts): a member who listens is not held back by the
 * commit. A write the store could not commit answers the sender `resources` (never `ok` for a
 * post not kept), though members who listen may have the post already: the sender may send it
 * again with the same Message-ID, the store keeps one row per room and id, and those members see
 * the same Message-ID twice (docs/gateway.md "Room history").
 */
import { HubError } from '../errors.js';
import {
  contentType,
  errorTypeOf,
  getHeader,
  STORED_HEADER,
  STORED_HISTORY,
  STORED_OFFLINE,
  type Answer,
  type Header,
} from '../protocol/index.js';
import type { RouterContext } from './context.js';
import type { Operation } from './operation.js';
import type { Room, RoomPost } from './rooms.js';

/** Appends the post to the room's history; false when no history is kept. */
export async function keepInHistory(
  ctx: RouterContext,
  room: Room,
  op: Operation,
  post: RoomPost,
): Promise<boolean> {
  const store = ctx.store;
  if (store === null || !ctx.storage.history.enabled || op.payload === undefined) return false;
  const roomUri = room.config.address.uri;
  try {
    await store.appendHistory({
      id: post.messageId,
      conversation: roomUri,
      time: Date.now(),
      source: post.author.uri,
      destination: roomUri,
      contentType: contentType('send', op.headers),
      payload: op.payload,
    });
  } catch (err) {
    ctx.log?.warn({ err, room: roomUri }, 'room post not written to the history, answered resources');
    throw new HubError('resources', 'the room history could not be written');
  }
  return true;
}

/**
 * Is the post, kept in the history, answered `Stored: history`? When no member took it as it came
 * (no ok other than `Stored: offline`; `Stored: queued` is a network that took it durably and
 * will deliver it, docs/adapters/irc.md "Queued messages and restarts") and no member failed for another reason than being absent
 * (`no-listeners`): a member whose delivery broke (`communications`, a refusal) keeps the room's
 * answer an error, so the sender sees it and may send again (same Message-ID, one history row).
 */
export function onlyAbsent(answers: readonly Answer[]): boolean {
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!;
    if (a.status === 'ok') {
      if (getHeader(a.headers, STORED_HEADER) !== STORED_OFFLINE) return false;
    } else if (errorTypeOf(a) !== 'no-listeners') return false;
  }
  return true;
}

/**
 * The answer to a post kept only in the history: `ok`, `Unreliable` (draft §16.2: not known to
 * be delivered) naming the room's domain, `Stored: history`, and the Room-Failed lines.
 */
export function storedInHistory(room: Room, failed: readonly Header[] | undefined): Answer {
  const headers: Header[] = [
    ['Unreliable', room.config.address.domain],
    [STORED_HEADER, STORED_HISTORY],
  ];
  if (failed !== undefined) headers.push(...failed);
  return { status: 'ok', headers };
}
