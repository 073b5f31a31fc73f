/**
 * The one table from the gateway's error classes to IMTP/PITP wire answers (docs/architecture.md part 8):
 * an `error` response with Error-Type (MUST, draft §12) and Error-Description. Adapters and the
 * router throw or pass errors; only this file picks wire codes.
 */
import { CodecError, ERROR_TYPES, HubError, type ErrorType } from '../errors.js';
import type { FrameError, ResponseFrame } from './frame/index.js';
import { getHeader, type Header, isLegalError } from '../protocol/index.js';

export interface WireError {
  readonly type: ErrorType;
  readonly description: string;
}

/** Socket error codes that mean the next hop could not be reached or went away. */
const COMMUNICATION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function isFrameError(e: unknown): e is FrameError {
  return typeof e === 'object' && e !== null && 'answer' in e && 'reason' in e && 'rule' in e && 'fatal' in e;
}

function codeOf(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * THE table. First matching row wins. Unknown failures become `resources` (a temporary failure on
 * our side) without leaking their message to the peer.
 */
const TABLE: readonly {
  readonly match: (e: unknown) => boolean;
  readonly answer: (e: unknown) => WireError;
}[] = [
  {
    match: (e) => e instanceof HubError,
    answer: (e) => ({ type: (e as HubError).type, description: (e as HubError).message }),
  },
  // Input we could not parse: draft §12 "The command is not properly formed".
  {
    match: (e) => e instanceof CodecError,
    answer: (e) => ({ type: 'malformed', description: (e as CodecError).reason }),
  },
  { match: isFrameError, answer: (e) => ({ type: 'malformed', description: (e as FrameError).reason }) },
  // docs/hub-protocol.md part 4 row 14: a next hop that times out or is lost counts as `communications`.
  {
    match: (e) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'),
    answer: () => ({ type: 'communications', description: 'the next hop did not answer in time' }),
  },
  {
    match: (e) => COMMUNICATION_CODES.has(codeOf(e) ?? ''),
    answer: (e) => ({ type: 'communications', description: `the next hop is unreachable (${codeOf(e)})` }),
  },
  { match: () => true, answer: () => ({ type: 'resources', description: 'internal error' }) },
];

/**
 * part 3 row 32 (draft §12): source-authorization/quota only where the method has a source,
 * target-authorization/target-not-found only where it has a target, method errors only on their
 * method. An error the method cannot carry is answered with the nearest general type.
 */
function nearestLegal(type: ErrorType): ErrorType {
  return type === 'quota' ? 'resources' : 'communications';
}

const MAX_DESCRIPTION = 200;

/** Error-Description is human text on one line: controls become spaces, length is capped. */
function cleanDescription(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const flat = text.replace(/[\x00-\x1f\x7f\ufffe\uffff]/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= MAX_DESCRIPTION ? flat : chars.slice(0, MAX_DESCRIPTION - 1).join('') + '…';
}

/** The wire error for `error` answering `method`. */
export function wireError(error: unknown, method: string): WireError {
  let answer: WireError = { type: 'resources', description: 'internal error' };
  for (const row of TABLE) {
    if (row.match(error)) {
      answer = row.answer(error);
      break;
    }
  }
  if (!isLegalError(method, answer.type)) {
    answer = { type: nearestLegal(answer.type), description: `${answer.type}: ${answer.description}` };
  }
  return { type: answer.type, description: cleanDescription(answer.description) };
}

/**
 * Headers of an error response we originate: Error-Type (MUST) and Error-Description; never
 * Error-Originator (draft §12: the originator MUST NOT include it; part 3 row 31).
 */
export function errorHeaders(error: unknown, method: string): Header[] {
  const w = wireError(error, method);
  return w.description === ''
    ? [['Error-Type', w.type]]
    : [
        ['Error-Type', w.type],
        ['Error-Description', w.description],
      ];
}

/**
 * Headers of an error response a relay passes on (draft §12, part 3 rows 30-31): Error-Type and
 * Error-Description and every other header unchanged; Error-Originator added (as `origin`, the
 * domain or client URL the error came from) only when absent, kept unchanged when present.
 */
export function relayedErrorHeaders(headers: readonly Header[], origin: string): Header[] {
  if (getHeader(headers, 'Error-Originator') !== undefined) return headers.slice();
  return [...headers, ['Error-Originator', origin]];
}

/**
 * A received error response as a HubError, for code that wants to throw it on. An Error-Type we
 * do not know (or none, which breaks §12's MUST) is a failure all the same (part 4 row 10):
 * it maps to `communications` with the original type in the message.
 */
export function hubErrorOf(response: ResponseFrame): HubError {
  const type = getHeader(response.headers, 'Error-Type');
  const description = getHeader(response.headers, 'Error-Description') ?? '';
  if (type !== undefined && (ERROR_TYPES as readonly string[]).includes(type)) {
    return new HubError(type as ErrorType, description);
  }
  return new HubError(
    'communications',
    `${type ?? 'no Error-Type'}${description === '' ? '' : ': ' + description}`,
  );
}
