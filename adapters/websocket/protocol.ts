/**
 * The web chat protocol, version 2: JSON text frames over one WebSocket (RFC 6455), checked with
 * zod. protocol.schema.json is generated from these schemas and protocol-history.ts
 * (protocol.test.ts keeps it in step) and docs/adapters/web-chat.md documents them.
 *
 * Version 2 (issue 15) adds history (`history` request and frame, a room's last messages on
 * `join`, `join.after` to catch up), message ids and cursors on `message` frames, `stored` and
 * `messageId` on results, and `report` frames. Everything it adds is optional or asked for, so a
 * version-1 client is still served: it gets no history on join, and a report as a `message`.
 *
 * Every request a client makes carries an `id` and gets exactly one `result` frame with that id
 * (a send's delivery answer, docs/architecture.md part 2 step 3: "nothing fails silently"). A frame that
 * cannot be read gets an `error` frame naming what was wrong, and the connection stays up.
 */
import { z } from 'zod';
import { cursor, formatRuns, historyFrame, historyRequestFrame, reportFrame } from './protocol-history.js';
import { messageAttachmentFields, sendAttachmentFields } from './protocol-attachments.js';
import { messageRelationFields, sendRelationFields } from './protocol-relations.js';

/** The version this gateway speaks; `auth` may name any of SUPPORTED_VERSIONS. */
export const PROTOCOL_VERSION = 2;
export const SUPPORTED_VERSIONS: readonly number[] = [1, 2];

const requestId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : -');
/** A web user name (`bob`) or an im:/pres: URI (`im:carol@irc.example.org`). */
const target = z.string().min(1).max(512);
const roomName = z.string().min(1).max(32);

export const PAGE_STATES = ['online', 'idle', 'away'] as const;
export type PageState = (typeof PAGE_STATES)[number];

export const authFrame = z.strictObject({
  type: z.literal('auth'),
  /** The protocol version the client speaks. */
  v: z.number().int(),
  /** A configured token, or a signed token `base64url(payload).base64url(HMAC-SHA256)`. */
  token: z.string().min(1).max(4096),
});

export const sendFrame = z
  .strictObject({
    type: z.literal('send'),
    id: requestId,
    /** A direct message: a web user name or an im: URI. */
    to: target.optional(),
    /** A room message: the name of a joined room. */
    room: roomName.optional(),
    /** The text; absent only for a deletion, a reaction or files without a caption (issue 17). */
    text: z.string().min(1).optional(),
    ...sendRelationFields,
    ...sendAttachmentFields,
  })
  .refine((f) => (f.to === undefined) !== (f.room === undefined), {
    message: 'give exactly one of "to" and "room"',
  })
  .refine((f) => [f.replaces, f.retracts, f.reaction].filter((x) => x !== undefined).length <= 1, {
    message: 'give at most one of "replaces", "retracts" and "reaction"',
  })
  .refine(
    (f) =>
      f.text !== undefined ||
      f.attachments !== undefined ||
      f.retracts !== undefined ||
      f.reaction !== undefined,
    { message: 'a send needs "text" or "attachments", except a deletion or a reaction', path: ['text'] },
  )
  .refine(
    (f) =>
      (f.retracts === undefined && f.reaction === undefined) ||
      (f.text === undefined && f.attachments === undefined),
    { message: 'a deletion or a reaction has no "text" and no "attachments"', path: ['text'] },
  );

export const joinFrame = z.strictObject({
  type: z.literal('join'),
  id: requestId,
  room: roomName,
  /** Version 2: the last cursor the page saw of this room; the answer's history starts after it. */
  after: cursor.optional(),
});
export const leaveFrame = z.strictObject({ type: z.literal('leave'), id: requestId, room: roomName });

export const presenceFrame = z.strictObject({
  type: z.literal('presence'),
  id: requestId,
  state: z.enum(PAGE_STATES),
  note: z.string().optional(),
});

export const watchFrame = z.strictObject({ type: z.literal('watch'), id: requestId, who: target });
export const unwatchFrame = z.strictObject({ type: z.literal('unwatch'), id: requestId, who: target });

/** The receipt for a `message` frame: the page has shown it (an end receipt, draft §16.2). */
export const ackFrame = z.strictObject({ type: z.literal('ack'), delivery: z.string().min(1).max(64) });

const clientFrames = {
  auth: authFrame,
  send: sendFrame,
  join: joinFrame,
  leave: leaveFrame,
  presence: presenceFrame,
  watch: watchFrame,
  unwatch: unwatchFrame,
  ack: ackFrame,
  history: historyRequestFrame,
} as const;

export type ClientFrameType = keyof typeof clientFrames;
export const clientFrame = z.discriminatedUnion('type', [
  authFrame,
  sendFrame,
  joinFrame,
  leaveFrame,
  presenceFrame,
  watchFrame,
  unwatchFrame,
  ackFrame,
  historyRequestFrame,
]);
export type ClientFrame = z.output<typeof clientFrame>;

// --- Server → client -------------------------------------------------------------------------

const roomInfo = z.strictObject({
  name: z.string(),
  title: z.string(),
  /** The gateway room it bridges to. */
  address: z.string(),
});

export const welcomeFrame = z.strictObject({
  type: z.literal('welcome'),
  /** The version the client named in `auth` (1 or 2). */
  v: z.number().int(),
  user: z.string(),
  /** The user's inbox and presentity. */
  uri: z.string(),
  presentity: z.string(),
  domain: z.string(),
  rooms: z.array(roomInfo),
  limits: z.strictObject({
    maxTextBytes: z.number(),
    messagesPerSecond: z.number(),
    /** Issue 17: the largest file `POST /upload` takes; absent when uploads are off. */
    maxUploadBytes: z.number().optional(),
    /** Issue 17: the most attachments one `send` may carry. */
    maxAttachments: z.number().optional(),
  }),
});

/** The answer to a request, matched by `id`. Error types are the hub's (draft §12). */
export const resultFrame = z.strictObject({
  type: z.literal('result'),
  id: z.string(),
  status: z.enum(['ok', 'error']),
  /** ok without an end receipt (draft §16.2 `Unreliable`): handed on, not confirmed. */
  unreliable: z.boolean().optional(),
  errorType: z.string().optional(),
  description: z.string().optional(),
  /** Room members that did not get the message (the router's `Room-Failed` header). */
  failed: z.array(z.strictObject({ member: z.string(), errorType: z.string() })).optional(),
  /**
   * Version 2, ok only: kept, not delivered (the `Stored` header, docs/hub-protocol.md part 4).
   * `offline`: for a user nobody listens for, delivered when they are back; `history`: a room
   * post nobody was there to take, kept in the room's history.
   */
  stored: z.enum(['offline', 'history']).optional(),
  /** Version 2: the message id the gateway gave a `send` (a `report` names it in `for`). */
  messageId: z.string().optional(),
  /**
   * Ok only: what did not go out whole on the way (issue 20), one note per network that clipped
   * or cut it, from the answer's `<Network>-Clipped` headers, e.g. `Irc-Clipped: 15 of 20 lines sent`.
   */
  clipped: z.array(z.string()).optional(),
});

export const messageFrame = z.strictObject({
  type: z.literal('message'),
  /** Echo it in an `ack` once shown. */
  delivery: z.string(),
  /** The author's URI. */
  from: z.string(),
  /** The author's network: the domain of the URI. */
  network: z.string(),
  /** The recipient's URI (a direct message; on the author's other tabs, whom it went to). */
  to: z.string().optional(),
  /** The web room it was said in, absent for a direct message. */
  room: z.string().optional(),
  /** RFC 3339 (the CPIM DateTime, else the time it arrived). */
  time: z.string(),
  text: z.string(),
  /** A mail's Subject, with the first message of its thread (issue 20). */
  subject: z.string().optional(),
  /** The text with its formatting (an IRC line's codes, HTML), when it had some (issue 20). */
  format: formatRuns.optional(),
  /** True on the author's other tabs. */
  own: z.boolean().optional(),
  /** Version 2: the gateway's message id (de-duplicates it against `history`). */
  id: z.string().optional(),
  /** Version 2: its place in the conversation's history, when the web adapter kept it. */
  cursor: cursor.optional(),
  /** Issue 17: what it replies to, edits, deletes or reacts to (the CPIM `Msg` headers). */
  ...messageRelationFields,
  ...messageAttachmentFields,
});

export const PRESENCE_STATES = ['online', 'idle', 'away', 'offline', 'unknown'] as const;

export const presenceUpdateFrame = z.strictObject({
  type: z.literal('presence'),
  /** The presentity (pres: URI). */
  who: z.string(),
  state: z.enum(PRESENCE_STATES),
  note: z.string().optional(),
});

/** Web users currently in a room (membership is PIDF-free state, docs/bridge-requirements.md row 10). */
export const roomFrame = z.strictObject({
  type: z.literal('room'),
  room: z.string(),
  members: z.array(z.string()),
});

export const ERROR_CODES = [
  'bad-json',
  'bad-frame',
  'binary-frame',
  'unknown-type',
  'unsupported-version',
  'not-authenticated',
  'already-authenticated',
  'auth-failed',
  'token-expired',
  'rate-limited',
  /** Too many failed sign-ins from this address or for this user (issue 13): retry after retryAfterMs. */
  'auth-throttled',
  /** Version 2: a `history` of a conversation this user is not in. */
  'forbidden',
  /** Version 2: no history is kept here (no store, or history switched off), or reading it failed. */
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorFrame = z.strictObject({
  type: z.literal('error'),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** The offending frame's id, when it had a readable one. */
  id: z.string().optional(),
  /** Where in the frame the problem is (`text`, `room`), when known. */
  path: z.string().optional(),
  /** `auth-throttled`: milliseconds before a sign-in from here will be checked again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});

export const serverFrame = z.discriminatedUnion('type', [
  welcomeFrame,
  resultFrame,
  messageFrame,
  presenceUpdateFrame,
  roomFrame,
  errorFrame,
  historyFrame,
  reportFrame,
]);
export type ServerFrame = z.output<typeof serverFrame>;
export type WelcomeFrame = z.output<typeof welcomeFrame>;
export type ResultFrame = z.output<typeof resultFrame>;
export type MessageFrame = z.output<typeof messageFrame>;
export type PresenceUpdateFrame = z.output<typeof presenceUpdateFrame>;
export type RoomFrame = z.output<typeof roomFrame>;
export type ErrorFrame = z.output<typeof errorFrame>;
export type PresenceState = (typeof PRESENCE_STATES)[number];
export type { HistoryFrame, HistoryItem, HistoryRequestFrame, ReportFrame } from './protocol-history.js';

/** The outcome of reading one text frame. */
export type ReadResult =
  { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly error: ErrorFrame };

/**
 * An error frame names the problem; it never echoes a hostile frame back at length (issue 13,
 * found by fuzzing: a frame with many long unknown keys got them all back in the message).
 */
const MAX_ERROR_TEXT = 300;
const clip = (s: string): string => (s.length > MAX_ERROR_TEXT ? `${s.slice(0, MAX_ERROR_TEXT - 1)}…` : s);
const MAX_NAMED_KEYS = 5;
const KEY_CHARS = 40;

function keyList(keys: readonly string[]): string {
  const named = keys
    .slice(0, MAX_NAMED_KEYS)
    .map((k) => (k.length > KEY_CHARS ? `${k.slice(0, KEY_CHARS)}…` : k));
  const more = keys.length - named.length;
  return named.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

function problem(code: ErrorCode, message: string, id?: string, path?: string): ErrorFrame {
  return {
    type: 'error',
    code,
    message: clip(message),
    ...(id === undefined ? {} : { id }),
    ...(path === undefined ? {} : { path: clip(path) }),
  };
}

/** Reads one text frame; every problem is named, with the frame's id when it has one. */
export function readClientFrame(text: string): ReadResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: problem('bad-json', `not JSON: ${(e as Error).message}`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: problem('bad-frame', 'a frame is a JSON object') };
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'string' && requestId.safeParse(record.id).success ? record.id : undefined;
  const type = record.type;
  if (typeof type !== 'string')
    return { ok: false, error: problem('bad-frame', 'a frame needs a "type" string', id, 'type') };
  if (!Object.hasOwn(clientFrames, type))
    return {
      ok: false,
      error: problem('unknown-type', `unknown frame type "${type.slice(0, 40)}"`, id, 'type'),
    };
  const parsed = clientFrames[type as ClientFrameType].safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field(s): ${keyList(issue.keys)}` : issue.message;
  return {
    ok: false,
    error: problem(
      'bad-frame',
      `${type}: ${path === '' ? '' : path + ': '}${message}`,
      id,
      path || undefined,
    ),
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

/** The JSON Schema of both directions (protocol.schema.json). */
export function protocolJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'CPIM gateway web chat protocol, version 2',
    description:
      'JSON text frames over a WebSocket. "client" lists what a client sends, "server" what the gateway sends. See docs/adapters/web-chat.md.',
    $defs: {
      client: jsonSchema(clientFrame, 'input'),
      server: jsonSchema(serverFrame, 'output'),
    },
    anyOf: [{ $ref: '#/$defs/client' }, { $ref: '#/$defs/server' }],
  };
}
