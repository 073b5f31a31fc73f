/**
 * Stanza errors (RFC 6120 §8.3) ⇄ IMTP/PITP Error-Type tokens (docs/hub-protocol.md part 2.8), by the
 * table of docs/adapters/xmpp-mapping.md "Errors". RFC 3922 defines only the subscription cases (§6.1); the
 * rest is derived and documented in docs/adapters/xmpp-mapping.md. Pure, no I/O.
 */
import type { ErrorType } from '../../src/index.js';

/** RFC 6120 §8.3.2: the error `type` attribute. */
export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** RFC 6120 §8.3.3: the defined conditions (namespace urn:ietf:params:xml:ns:xmpp-stanzas). */
export const STANZA_CONDITIONS = [
  'bad-request',
  'conflict',
  'feature-not-implemented',
  'forbidden',
  'gone',
  'internal-server-error',
  'item-not-found',
  'jid-malformed',
  'not-acceptable',
  'not-allowed',
  'not-authorized',
  'policy-violation',
  'recipient-unavailable',
  'redirect',
  'registration-required',
  'remote-server-not-found',
  'remote-server-timeout',
  'resource-constraint',
  'service-unavailable',
  'subscription-required',
  'undefined-condition',
  'unexpected-request',
] as const;
export type StanzaCondition = (typeof STANZA_CONDITIONS)[number];

export const STANZAS_NS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** A stanza error as the I/O layer writes it: `<error type><condition/><text>…</text></error>`. */
export interface StanzaError {
  readonly condition: StanzaCondition;
  readonly type: StanzaErrorType;
  /** Human text for `<text/>` (RFC 6120 §8.3.2: OPTIONAL, descriptive only). */
  readonly text?: string;
}

// docs/adapters/xmpp-mapping.md "Errors", column 2. Each row: the condition whose definition in RFC 6120
// §8.3.3 matches the IMTP meaning, with the `type` that section's example uses. Rows below the table's eight
// are derived for the remaining tokens of ERROR_TYPES so that every token has an answer.
const TO_STANZA: Readonly<Record<ErrorType, Omit<StanzaError, 'text'>>> = {
  'target-not-found': { condition: 'item-not-found', type: 'cancel' }, // §8.3.3.7
  'no-listeners': { condition: 'recipient-unavailable', type: 'wait' }, // §8.3.3.13
  'target-authorization': { condition: 'forbidden', type: 'auth' }, // §8.3.3.4
  'source-authorization': { condition: 'not-authorized', type: 'auth' }, // §8.3.3.11
  quota: { condition: 'resource-constraint', type: 'wait' }, // §8.3.3.18
  resources: { condition: 'resource-constraint', type: 'wait' }, // §8.3.3.18
  communications: { condition: 'remote-server-timeout', type: 'wait' }, // §8.3.3.17
  loop: { condition: 'undefined-condition', type: 'cancel' }, // §8.3.3.21, text "loop"
  malformed: { condition: 'bad-request', type: 'modify' }, // §8.3.3.1
  'unknown-method': { condition: 'feature-not-implemented', type: 'cancel' }, // §8.3.3.3
  'sasl-challenge': { condition: 'not-authorized', type: 'auth' }, // §8.3.3.11
  'sasl-failure': { condition: 'not-authorized', type: 'auth' }, // §8.3.3.11
  'mapping-range': { condition: 'bad-request', type: 'modify' }, // §8.3.3.1
  'update-race': { condition: 'conflict', type: 'cancel' }, // §8.3.3.2
  'not-subscribed': { condition: 'item-not-found', type: 'cancel' }, // §8.3.3.7
};

/**
 * The stanza error to send back to an XMPP sender for the hub's error answer. `rateLimited`
 * marks a `quota`/`resources` that came from a rate limit: `policy-violation` (wait, §8.3.3.12)
 * tells the client to slow down rather than that the server is short of memory. An unknown token
 * (relays pass unknown types untouched, hub-protocol.md part 6 row 10) becomes
 * `undefined-condition` (cancel) with the token in the text. `loop` carries the text "loop":
 * XMPP has no hop count, so no condition says it.
 */
export function hubErrorToStanza(
  errorType: ErrorType | string,
  description = '',
  options: { rateLimited?: boolean } = {},
): StanzaError {
  const row = (TO_STANZA as Readonly<Record<string, Omit<StanzaError, 'text'>>>)[errorType];
  const withText = (e: Omit<StanzaError, 'text'>, text: string): StanzaError =>
    text === '' ? e : { ...e, text };
  if (row === undefined)
    return withText(
      { condition: 'undefined-condition', type: 'cancel' },
      description === '' ? errorType : `${errorType}: ${description}`,
    );
  if (options.rateLimited === true && (errorType === 'quota' || errorType === 'resources'))
    return withText({ condition: 'policy-violation', type: 'wait' }, description);
  if (errorType === 'loop') return withText(row, description === '' ? 'loop' : `loop: ${description}`);
  return withText(row, description);
}

// docs/adapters/xmpp-mapping.md "Errors", column 3: conditions received in an error stanza (the answer to a
// stanza we sent) → the Error-Type of the IMTP answer. Anything not listed is `communications`.
const TO_HUB: Readonly<Partial<Record<StanzaCondition, ErrorType>>> = {
  'item-not-found': 'target-not-found',
  'jid-malformed': 'target-not-found',
  'remote-server-not-found': 'target-not-found',
  'recipient-unavailable': 'no-listeners',
  forbidden: 'target-authorization',
  'not-allowed': 'target-authorization',
  'not-authorized': 'target-authorization',
  'registration-required': 'target-authorization',
  'subscription-required': 'target-authorization',
  'resource-constraint': 'resources',
  'policy-violation': 'quota',
  'remote-server-timeout': 'communications',
  'internal-server-error': 'communications',
  'undefined-condition': 'communications',
  'bad-request': 'malformed',
  'not-acceptable': 'malformed',
};

/**
 * The Error-Type for an XMPP error stanza received in answer to something the adapter sent.
 * `service-unavailable` on a message means "no one will take it" (RFC 6121 §8.5.2,
 * the server's answer for an unknown or unavailable recipient) → `no-listeners`; on an IQ or a
 * presence it is a missing feature → `communications`. A condition the RFC does not define
 * (an unknown child) is `communications` too (RFC 6120 §8.3.2: treat as undefined-condition).
 */
export function stanzaErrorToHub(condition: string, stanza: 'message' | 'presence' | 'iq'): ErrorType {
  if (condition === 'service-unavailable') return stanza === 'message' ? 'no-listeners' : 'communications';
  return (TO_HUB as Readonly<Record<string, ErrorType>>)[condition] ?? 'communications';
}

/** True for a condition RFC 6120 §8.3.3 defines. */
export function isStanzaCondition(name: string): name is StanzaCondition {
  return (STANZA_CONDITIONS as readonly string[]).includes(name);
}

/**
 * RFC 6120 §8.3.1: an entity that receives an error stanza MUST NOT respond with a further error
 * stanza (that is how error loops between entities are avoided).
 */
export function mayAnswerWithError(stanzaType: string | undefined): boolean {
  return stanzaType !== 'error';
}

/** RFC 3923 §7: what a receiver answers when it cannot handle an end-to-end protected stanza. */
export type E2eFailure = 'unsupported' | 'bad-timestamp' | 'bad-signature' | 'cannot-decrypt';

export function e2eFailureToStanza(failure: E2eFailure): StanzaError {
  switch (failure) {
    case 'unsupported':
      return { condition: 'service-unavailable', type: 'cancel' }; // RFC 3923 §7
    case 'bad-timestamp':
    case 'bad-signature':
      return { condition: 'not-acceptable', type: 'modify' }; // RFC 3923 §7
    case 'cannot-decrypt':
      return { condition: 'bad-request', type: 'modify' }; // RFC 3923 §7
  }
}
