/**
 * Room history (issue 15; docs/gateway.md "Room history"; docs/hub-protocol.md part 4 row 33):
 * with a store and `storage.history.enabled`, every post to a room is appended to the room's
 * history before anyone is answered: conversation = the room's URI, source = the verified
 * author (identity.ts), destination = the room, the send's content type (`message/cpim` for
 * Message/CPIM) and the payload octets unchanged (docs/cpim.md row 34), id = its Message-ID.
 * A write the store could not commit is `resources` and nothing is fanned out: the sender may
 * send it again, with the same Message-ID (the store keeps one row per room and id).
 */
import { HubError } from '../errors.js';
import {
  contentType,
  getHeader,
  STORED_HEADER,
  STORED_HISTORY,
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

/** Did some member take the post as it came (an ok that is not `Stored`)? */
export function takenLive(answers: readonly Answer[]): boolean {
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!;
    if (a.status === 'ok' && getHeader(a.headers, STORED_HEADER) === undefined) return true;
  }
  return false;
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
