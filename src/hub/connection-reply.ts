/**
 * Parts of connection.ts kept apart (one file stays under 400 lines): the answering side of the
 * relay path (issue 18), the refusals made once, and the log lines of a closed connection.
 */
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Answer } from '../protocol/index.js';
import type { CloseReason, HubCloseCode } from './connection-types.js';
import type { Connection } from './connection.js';
import type { CloseReason as SessionCloseReason } from './session.js';

/** Made once: an Error per refused command would cost more than the command (stack capture). */
export const TOO_MANY = new HubError('resources', 'too many unanswered commands');

/** The answers `command` and `relay` give without sending anything. */
export const CLOSED = new HubError('communications', 'the connection is closed');
export const TOO_MANY_OUT = new HubError('resources', 'too many unanswered commands on this link');

/**
 * The reply handle of one received command (`replyTo`, issue 18): the application answers it
 * by a method call when the answer comes back, instead of returning a promise the connection
 * reacts to. One small object per relayed command, no closure.
 */
export class Reply {
  constructor(
    private readonly conn: Connection,
    private readonly id: string,
  ) {}

  answered(a: Answer): void {
    this.conn.reply(this.id, a);
  }
}

export function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

const HOSTILE: ReadonlySet<HubCloseCode> = new Set(['protocol-error', 'truncated', 'auth-failures']);

/** What a closed connection logs: why, and a hostile peer's problem at warn. */
export function logClosed(log: Logger, s: SessionCloseReason, reason: CloseReason, refused: number): void {
  if (s.error !== undefined && HOSTILE.has(reason.code)) {
    const e = s.error;
    log.warn(
      { problem: e.reason, rule: e.rule, offset: e.offset, line: e.line },
      'hub protocol error, connection closed',
    );
  } else if (reason.code === 'auth-failures')
    log.warn({ problem: reason.message }, 'hub too many authentication failures, connection closed');
  log.info(
    { code: reason.code, reason: reason.message, refused: refused || undefined },
    'hub connection closed',
  );
}
