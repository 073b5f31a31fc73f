/**
 * The one answer shape of IMTP/PITP (draft-hudson-impp-transfer-proposal-01 §10 response: status,
 * headers, optional payload), used by the router, the hub, federation and adapters. A response
 * frame on the wire is this plus its command id and method (src/hub/frame), so an answer read
 * from a socket is passed on as it is, without conversion. No I/O.
 *
 * Error answers carry `Error-Type` (MUST), optionally `Error-Description`, and
 * `Error-Originator` once a relay has passed them on (draft §12, part 3 rows 30-31).
 */
import { CodecError, HubError, type ErrorType } from '../errors.js';
import { addHeader, getHeader, type Headers } from './headers.js';

export interface Answer {
  readonly status: 'ok' | 'error';
  readonly headers: Headers;
  /** The payload octets; absent (undefined) when the answer has none. */
  readonly payload?: Uint8Array | undefined;
}

const EMPTY: Headers = Object.freeze([]) as Headers;

export function okAnswer(headers: Headers = EMPTY, payload?: Uint8Array): Answer {
  return payload === undefined ? { status: 'ok', headers } : { status: 'ok', headers, payload };
}

/** An error this gateway originates: no Error-Originator (draft §12, part 3 row 31). */
export function errorAnswer(type: ErrorType | string, description = ''): Answer {
  return {
    status: 'error',
    headers:
      description === ''
        ? [['Error-Type', type]]
        : [
            ['Error-Type', type],
            ['Error-Description', description],
          ],
  };
}

/**
 * The answer to a failure the router itself hit: a HubError's type and message; a CodecError
 * (unparseable identifier or pattern) is `malformed` (draft §12); anything else is `resources`
 * without leaking its message (as hub/replies.ts does).
 */
export function answerFromError(e: unknown): Answer {
  if (e instanceof HubError) return errorAnswer(e.type, e.message);
  if (e instanceof CodecError) return errorAnswer('malformed', e.reason);
  return errorAnswer('resources', 'internal error');
}

export function errorTypeOf(answer: Answer): string | undefined {
  return answer.status === 'error' ? getHeader(answer.headers, 'Error-Type') : undefined;
}

/**
 * An error answer being passed on by this relay (draft §12, part 3 row 31): the first relay adds
 * `Error-Originator` (a domain for a server, the client's URL for a client, part 4 row 21); later
 * relays keep the one they got. Error-Type/Description and unknown headers stay as they are
 * (row 30); an error without Error-Type (a broken hop) gets `communications` (part 4 row 10).
 */
export function passOnError(answer: Answer, originator: string): Answer {
  let headers = answer.headers;
  if (getHeader(headers, 'Error-Type') === undefined)
    headers = [['Error-Type', 'communications'], ...headers];
  if (getHeader(headers, 'Error-Originator') !== undefined)
    return headers === answer.headers ? answer : { ...answer, headers };
  return { ...answer, headers: addHeader(headers, 'Error-Originator', originator) };
}
