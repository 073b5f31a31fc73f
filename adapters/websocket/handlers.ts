/**
 * What the adapter does with each client frame (protocol.ts). Requests are answered with one
 * `result` each; a frame that cannot be read gets an `error` frame and the connection stays up
 * (docs/architecture.md part 8). Sends become IMTP `send`s (draft §16.2), watches PITP `subscribe`s
 * (draft §15.11) with this session's token as connection-id (§11.7), presence a PIDF publish.
 */
import { errorAnswer, toPres, type Answer } from '../../src/index.js';
import { history, joinHistory } from './history-handlers.js';
import { mayRead } from './history.js';
import {
  PROTOCOL_VERSION,
  SUPPORTED_VERSIONS,
  readClientFrame,
  type ClientFrame,
  type ErrorFrame,
} from './protocol.js';
import { send } from './send.js';
import { CLOSE, type Session } from './session.js';
import { claimedUser, type TokenCheck, type TokenVerifier } from './tokens.js';
import { uploadLimit } from './upload.js';
import { readTarget, resultOf } from './translate.js';
import type { WebChat } from './web-chat.js';

type Frame<T extends ClientFrame['type']> = Extract<ClientFrame, { type: T }>;

function fail(s: Session, chat: WebChat, error: ErrorFrame): void {
  chat.metrics.rejected.inc({ code: error.code });
  s.send(error);
}

function answer(s: Session, id: string, a: Answer): void {
  s.send(resultOf(id, a));
}

const ACK_PREFIX = '{"type":"ack","delivery":"';
const ACK_SUFFIX = '"}';
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The common `ack` frame, exactly `{"type":"ack","delivery":"<id>"}` with a plain id, read without
 * JSON.parse and zod (one per delivered message: the hot path, docs/architecture.md part 11). It is what
 * readClientFrame returns for that text; anything else goes through readClientFrame.
 */
export function quickAck(data: string): ClientFrame | null {
  if (!data.startsWith(ACK_PREFIX) || !data.endsWith(ACK_SUFFIX)) return null;
  const delivery = data.slice(ACK_PREFIX.length, data.length - ACK_SUFFIX.length);
  return DELIVERY_ID.test(delivery) ? { type: 'ack', delivery } : null;
}

/** One text or binary frame from a session. */
export function handleFrame(chat: WebChat, tokens: TokenVerifier, s: Session, data: string | null): void {
  if (data === null) {
    fail(s, chat, {
      type: 'error',
      code: 'binary-frame',
      message: 'frames are JSON text; binary is not used',
    });
    return;
  }
  let f = quickAck(data);
  if (f === null) {
    const read = readClientFrame(data);
    if (!read.ok) return fail(s, chat, read.error);
    f = read.frame;
  }
  const id = 'id' in f ? f.id : undefined;
  if (!s.takeFrame())
    return fail(s, chat, {
      type: 'error',
      code: 'rate-limited',
      message: `at most ${chat.config.limits.framesPerSecond} frames per second`,
      ...(id ? { id } : {}),
    });
  if (f.type !== 'auth' && s.user === null)
    return fail(s, chat, {
      type: 'error',
      code: 'not-authenticated',
      message: 'send an auth frame first',
      ...(id ? { id } : {}),
    });
  chat.metrics.frames.inc({ type: f.type });
  if (f.type === 'ack') return chat.ack(s, f.delivery);
  const done = (p: Promise<void>): void => {
    p.catch((err: unknown) => {
      chat.ctx.log.error({ err, type: f.type }, 'frame handling failed');
      if (id) answer(s, id, errorAnswer('resources', 'internal error'));
    });
  };
  switch (f.type) {
    case 'auth':
      return auth(chat, tokens, s, f);
    case 'send':
      return done(send(chat, s, f));
    case 'join': {
      const history = join(chat, s, f);
      if (history !== undefined) done(history);
      return;
    }
    case 'history':
      return done(history(chat, s, f));
    case 'leave':
      return leave(chat, s, f);
    case 'presence':
      return done(presence(chat, s, f));
    case 'watch':
      return done(watch(chat, s, f));
    case 'unwatch':
      return done(unwatch(chat, s, f));
  }
}

function auth(chat: WebChat, tokens: TokenVerifier, s: Session, f: Frame<'auth'>): void {
  if (s.user !== null)
    return fail(s, chat, { type: 'error', code: 'already-authenticated', message: `signed in as ${s.user}` });
  if (!SUPPORTED_VERSIONS.includes(f.v))
    return fail(s, chat, {
      type: 'error',
      code: 'unsupported-version',
      message: `this gateway speaks versions ${SUPPORTED_VERSIONS.join(' and ')} (${PROTOCOL_VERSION} is current)`,
      path: 'v',
    });
  // Issue 13 defect 5: sign-ins are counted across connections, per address and per claimed user
  // (src/policy/auth-failures.ts). In backoff the token is not even verified.
  const claimed = claimedUser(f.token);
  const wait = chat.ctx.authAttempts?.('web').throttle(s.remoteAddress, claimed) ?? 0;
  if (wait > 0) {
    fail(s, chat, {
      type: 'error',
      code: 'auth-throttled',
      message: `too many failed sign-ins; retry in ${wait} ms`,
      path: 'token',
      retryAfterMs: wait,
    });
    if (++s.authFailures >= chat.config.auth.maxFailures)
      s.close(CLOSE.authFailures, 'too many failed sign-ins');
    return;
  }
  const check = tokens.check(f.token);
  const version = f.v;
  if (!(check instanceof Promise)) return signIn(chat, s, check, claimed, version);
  // A signed token is verified asynchronously; a session's sign-ins are taken in order, so a
  // second auth frame sent meanwhile is answered as if the first had already finished.
  const previous = pendingAuth.get(s) ?? Promise.resolve();
  const next = previous
    .then(() => check)
    .then((c) => {
      if (!s.isOpen) return;
      if (s.user !== null)
        return fail(s, chat, {
          type: 'error',
          code: 'already-authenticated',
          message: `signed in as ${s.user}`,
        });
      signIn(chat, s, c, claimed, version);
    });
  pendingAuth.set(s, next);
  next
    .catch((err: unknown) => {
      chat.ctx.log.warn({ err }, 'token verification failed');
      fail(s, chat, {
        type: 'error',
        code: 'auth-failed',
        message: 'the token could not be checked',
        path: 'token',
      });
    })
    .finally(() => {
      if (pendingAuth.get(s) === next) pendingAuth.delete(s);
    });
}

/** Sign-ins still being verified, by session (see auth). */
const pendingAuth = new WeakMap<Session, Promise<void>>();

function signIn(
  chat: WebChat,
  s: Session,
  check: TokenCheck,
  claimed: string | undefined,
  version: number,
): void {
  const attempts = chat.ctx.authAttempts?.('web');
  if (!check.ok) {
    // An expired token is a real user's, not a guess: it is not counted against anyone.
    if (check.code === 'auth-failed') attempts?.failed(s.remoteAddress, claimed, check.reason);
    // A refused sign-in affects the user: logged with its reason and answered (docs/architecture.md part 8).
    chat.ctx.log.warn({ session: s.token, code: check.code, reason: check.reason }, 'web sign-in refused');
    fail(s, chat, { type: 'error', code: check.code, message: check.reason, path: 'token' });
    if (++s.authFailures >= chat.config.auth.maxFailures)
      s.close(CLOSE.authFailures, 'too many failed sign-ins');
    return;
  }
  const u = chat.user(check.user);
  if (u.sessions.size >= chat.config.limits.maxConnectionsPerUser) {
    s.close(CLOSE.tooManyConnections, 'too many connections for this user');
    return;
  }
  attempts?.succeeded(s.remoteAddress, u.name);
  s.user = u.name;
  s.signedIn();
  s.version = version;
  u.sessions.add(s);
  chat.byToken.set(s.token, s);
  if (check.expiresAt !== undefined) s.deadline = chat.expiries.add(s, check.expiresAt - Date.now());
  const rooms = [...chat.rooms.values()].filter((r) => mayRead(r, u.name));
  s.send({
    type: 'welcome',
    v: version,
    user: u.name,
    uri: u.inbox.uri,
    presentity: u.presentity.uri,
    domain: chat.domain,
    rooms: rooms.map((r) => ({ name: r.name, title: r.title, address: r.address.uri })),
    limits: {
      maxTextBytes: chat.config.limits.maxTextBytes,
      messagesPerSecond: chat.config.limits.messagesPerSecond,
      ...uploadLimits(chat),
    },
  });
  void chat.publish(u);
  // Issue 15: the account is remembered, and what was kept for it is delivered now.
  chat.offlineDelivery.signedIn(u);
}

/** Issue 17: what the page says before an upload (absent when uploads are off). */
function uploadLimits(chat: WebChat): { maxUploadBytes?: number; maxAttachments?: number } {
  const max = uploadLimit(chat.config, chat.fileStore());
  return max === null ? {} : { maxUploadBytes: max, maxAttachments: chat.config.uploads.maxPerMessage };
}

/** Joins a room; a version-2 page then gets its history (history-handlers.ts). */
function join(chat: WebChat, s: Session, f: Frame<'join'>): Promise<void> | undefined {
  const room = chat.rooms.get(f.room);
  if (room === undefined) {
    answer(s, f.id, errorAnswer('target-not-found', `no room ${f.room}`));
    return undefined;
  }
  if (!mayRead(room, s.user!)) {
    answer(s, f.id, errorAnswer('target-authorization', 'you are not a member of this room'));
    return undefined;
  }
  s.joinedRooms().add(room.name);
  room.sessions.add(s);
  answer(s, f.id, { status: 'ok', headers: [] });
  chat.roster(room);
  // In the same turn as joining: every live frame from here on is held until the history is sent.
  return joinHistory(chat, s, room, f.after);
}

function leave(chat: WebChat, s: Session, f: Frame<'leave'>): void {
  const room = chat.rooms.get(f.room);
  if (room === undefined || !s.rooms.has(room.name))
    return answer(s, f.id, errorAnswer('not-subscribed', `you are not in ${f.room}`));
  s.rooms.delete(room.name);
  room.sessions.delete(s);
  answer(s, f.id, { status: 'ok', headers: [] });
  chat.roster(room);
}

async function presence(chat: WebChat, s: Session, f: Frame<'presence'>): Promise<void> {
  const max = chat.config.limits.maxNoteChars;
  if (f.note !== undefined && [...f.note].length > max)
    return answer(s, f.id, errorAnswer('quota', `notes are limited to ${max} characters`));
  const u = chat.user(s.user!);
  s.state = f.state;
  if (f.note !== undefined) u.note = f.note;
  await chat.publish(u);
  answer(s, f.id, { status: 'ok', headers: [] });
}

/** Subscribes `s` to `presentity` and pushes the current PI; the router's answer otherwise. */
export async function subscribe(chat: WebChat, s: Session, presentity: string): Promise<Answer> {
  const u = chat.user(s.user!);
  const a = await chat.ctx.hub.request({
    protocol: 'pitp',
    method: 'subscribe',
    headers: [
      ['Subscription', `${s.token}/${u.presentity.uri}`],
      ['Presentity', presentity],
    ],
  });
  const w = s.watches.get(presentity);
  if (a.status === 'ok' && w !== undefined) {
    w.subscribed = true;
    const ct = a.headers.find(([n]) => n === 'Content-Type')?.[1];
    if (a.payload) chat.pushPresenceDoc(s, presentity, a.payload, ct);
  }
  return a;
}

async function watch(chat: WebChat, s: Session, f: Frame<'watch'>): Promise<void> {
  const target = readTarget(f.who, chat.domain);
  if (typeof target === 'string') return answer(s, f.id, errorAnswer('malformed', `who: ${target}`));
  const p = toPres(target).uri;
  if (!s.watches.has(p) && s.watches.size >= chat.config.limits.maxWatchesPerConnection)
    return answer(s, f.id, errorAnswer('quota', 'too many watches on this connection'));
  s.watchMap().set(p, { presentity: p, presentityText: p, subscribed: false });
  const a = await subscribe(chat, s, p);
  const local = target.domain === chat.domain;
  if (
    a.status === 'error' &&
    local &&
    a.headers.some(([n, v]) => n === 'Error-Type' && v === 'target-not-found')
  ) {
    // A web user who has never been online has no presence store yet (draft §15): show them
    // offline and subscribe when they first publish (WebChat.onFirstPublish).
    let set = chat.waiting.get(p);
    if (set === undefined) chat.waiting.set(p, (set = new Set()));
    set.add(s);
    chat.pushPresence(s, p, 'offline');
    return answer(s, f.id, { status: 'ok', headers: [] });
  }
  if (a.status === 'error') s.watches.delete(p);
  answer(s, f.id, a);
}

async function unwatch(chat: WebChat, s: Session, f: Frame<'unwatch'>): Promise<void> {
  const target = readTarget(f.who, chat.domain);
  if (typeof target === 'string') return answer(s, f.id, errorAnswer('malformed', `who: ${target}`));
  const p = toPres(target).uri;
  const w = s.watches.get(p);
  if (w === undefined) return answer(s, f.id, errorAnswer('not-subscribed', `you do not watch ${p}`));
  s.watches.delete(p);
  chat.stopWaiting(p, s);
  if (!w.subscribed) return answer(s, f.id, { status: 'ok', headers: [] });
  answer(s, f.id, await unsubscribe(chat, s, p));
}

export function unsubscribe(chat: WebChat, s: Session, presentity: string): Promise<Answer> {
  return chat.ctx.hub.request({
    protocol: 'pitp',
    method: 'unsubscribe',
    headers: [
      ['Subscription', `${s.token}/${chat.user(s.user!).presentity.uri}`],
      ['Presentity', presentity],
    ],
  });
}
