/**
 * What the adapter does with each client frame (protocol.ts). Requests are answered with one
 * `result` each; a frame that cannot be read gets an `error` frame and the connection stays up
 * (docs/architecture.md part 8). Sends become IMTP `send`s (draft §16.2), watches PITP `subscribe`s
 * (draft §15.11) with this session's token as connection-id (§11.7), presence a PIDF publish.
 */
import { errorAnswer, toPres, type Answer } from '../../src/index.js';
import { PROTOCOL_VERSION, readClientFrame, type ClientFrame, type ErrorFrame } from './protocol.js';
import { CLOSE, type Session } from './session.js';
import { claimedUser, type TokenCheck, type TokenVerifier } from './tokens.js';
import { CPIM_TYPE, buildMessage, mergeRoomResults, readTarget, resultOf } from './translate.js';
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
  if (!s.frames.take())
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
    case 'join':
      return join(chat, s, f);
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
  if (f.v !== PROTOCOL_VERSION)
    return fail(s, chat, {
      type: 'error',
      code: 'unsupported-version',
      message: `this gateway speaks version ${PROTOCOL_VERSION}`,
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
  if (!(check instanceof Promise)) return signIn(chat, s, check, claimed);
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
      signIn(chat, s, c, claimed);
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

function signIn(chat: WebChat, s: Session, check: TokenCheck, claimed: string | undefined): void {
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
  u.sessions.add(s);
  chat.byToken.set(s.token, s);
  if (check.expiresAt !== undefined)
    s.later(
      () => s.close(CLOSE.tokenExpired, 'the token has expired'),
      Math.min(check.expiresAt - Date.now(), 2 ** 31 - 1),
    );
  const rooms = [...chat.rooms.values()].filter((r) => r.members === null || r.members.has(u.name));
  s.send({
    type: 'welcome',
    v: PROTOCOL_VERSION,
    user: u.name,
    uri: u.inbox.uri,
    presentity: u.presentity.uri,
    domain: chat.domain,
    rooms: rooms.map((r) => ({ name: r.name, title: r.title, address: r.address.uri })),
    limits: {
      maxTextBytes: chat.config.limits.maxTextBytes,
      messagesPerSecond: chat.config.limits.messagesPerSecond,
    },
  });
  void chat.publish(u);
}

async function send(chat: WebChat, s: Session, f: Frame<'send'>): Promise<void> {
  const limits = chat.config.limits;
  const reply = (a: Answer): void => {
    const r = resultOf(f.id, a);
    chat.metrics.sent.inc({
      status: r.status === 'ok' ? (r.unreliable ? 'unreliable' : 'ok') : r.errorType!,
    });
    s.send(r);
  };
  if (Buffer.byteLength(f.text) > limits.maxTextBytes)
    return reply(errorAnswer('quota', `messages are limited to ${limits.maxTextBytes} octets`));
  const u = chat.user(s.user!);
  const now = new Date();
  const mine = (x: Session): boolean => x.user === u.name && x !== s;
  if (f.room !== undefined) {
    const room = chat.rooms.get(f.room);
    if (room === undefined) return reply(errorAnswer('target-not-found', `no room ${f.room}`));
    if (!s.rooms.has(room.name)) return reply(errorAnswer('target-authorization', 'join the room first'));
    const payload = buildMessage(u.inbox, room.address, f.text, now);
    const frame = {
      from: u.inbox.uri,
      network: chat.domain,
      room: room.name,
      time: now.toISOString(),
      text: f.text,
    };
    for (const x of room.sessions)
      if (mine(x)) x.send({ type: 'message', delivery: '', own: true, ...frame });
    // The bridge inbox is the room member speaking; the author rides in Orig-Sender, which the
    // room keeps (src/router/rooms.ts), so the room never echoes the message back to us.
    const viaHub = chat.ctx.hub.send({
      sender: room.bridge.uri,
      inbox: room.address.uri,
      payload,
      contentType: CPIM_TYPE,
      headers: [['Orig-Sender', u.inbox.uri]],
    });
    const others = [...room.sessions].filter((x) => x.user !== u.name);
    const local = others.length > 0 ? chat.deliverToSessions(others, frame) : null;
    const [hubAnswer, localAnswer] = await Promise.all([viaHub, local]);
    const r = mergeRoomResults(
      resultOf(f.id, hubAnswer),
      localAnswer ? resultOf(f.id, localAnswer) : null,
      room.address.uri,
    );
    chat.metrics.sent.inc({
      status: r.status === 'ok' ? (r.unreliable ? 'unreliable' : 'ok') : r.errorType!,
    });
    s.send(r);
    return;
  }
  const to = readTarget(f.to!, chat.domain);
  if (typeof to === 'string') return reply(errorAnswer('malformed', `to: ${to}`));
  const time = now.toISOString();
  for (const x of u.sessions)
    if (mine(x))
      x.send({
        type: 'message',
        delivery: '',
        own: true,
        from: u.inbox.uri,
        to: to.uri,
        network: chat.domain,
        time,
        text: f.text,
      });
  const payload = buildMessage(u.inbox, to, f.text, now);
  reply(await chat.ctx.hub.send({ sender: u.inbox.uri, inbox: to.uri, payload, contentType: CPIM_TYPE }));
}

function join(chat: WebChat, s: Session, f: Frame<'join'>): void {
  const room = chat.rooms.get(f.room);
  if (room === undefined) return answer(s, f.id, errorAnswer('target-not-found', `no room ${f.room}`));
  if (room.members !== null && !room.members.has(s.user!))
    return answer(s, f.id, errorAnswer('target-authorization', 'you are not a member of this room'));
  s.rooms.add(room.name);
  room.sessions.add(s);
  answer(s, f.id, { status: 'ok', headers: [] });
  chat.roster(room);
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
  s.watches.set(p, { presentity: p, presentityText: p, subscribed: false });
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
