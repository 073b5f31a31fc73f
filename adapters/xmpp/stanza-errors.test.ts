import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../../src/index.js';
import {
  STANZA_CONDITIONS,
  e2eFailureToStanza,
  hubErrorToStanza,
  isStanzaCondition,
  mayAnswerWithError,
  stanzaErrorToHub,
} from './stanza-errors.js';

describe('IMTP Error-Type → stanza error (docs/adapters/xmpp-mapping.md "Errors" column 2)', () => {
  const table: [string, string, string][] = [
    ['target-not-found', 'item-not-found', 'cancel'],
    ['no-listeners', 'recipient-unavailable', 'wait'],
    ['target-authorization', 'forbidden', 'auth'],
    ['source-authorization', 'not-authorized', 'auth'],
    ['quota', 'resource-constraint', 'wait'],
    ['resources', 'resource-constraint', 'wait'],
    ['communications', 'remote-server-timeout', 'wait'],
    ['loop', 'undefined-condition', 'cancel'],
    ['malformed', 'bad-request', 'modify'],
  ];
  for (const [hub, condition, type] of table) {
    it(`${hub} → <${condition}/> (${type})`, () => {
      expect(hubErrorToStanza(hub)).toMatchObject({ condition, type });
    });
  }
  it('says "loop" in the text, since no condition does', () => {
    expect(hubErrorToStanza('loop').text).toBe('loop');
    expect(hubErrorToStanza('loop', 'seen twice').text).toBe('loop: seen twice');
  });
  it('passes the Error-Description as text, and none when empty', () => {
    expect(hubErrorToStanza('target-not-found', 'no such nick').text).toBe('no such nick');
    expect(hubErrorToStanza('target-not-found')).not.toHaveProperty('text');
  });
  it('answers rate limits with policy-violation (wait)', () => {
    expect(hubErrorToStanza('quota', '', { rateLimited: true })).toEqual({
      condition: 'policy-violation',
      type: 'wait',
    });
    expect(hubErrorToStanza('target-not-found', '', { rateLimited: true }).condition).toBe('item-not-found');
  });
  it('has a defined condition for every Error-Type, and undefined-condition for unknown tokens', () => {
    for (const t of ERROR_TYPES) expect(isStanzaCondition(hubErrorToStanza(t).condition), t).toBe(true);
    expect(hubErrorToStanza('x-new-thing', 'why')).toEqual({
      condition: 'undefined-condition',
      type: 'cancel',
      text: 'x-new-thing: why',
    });
  });
});

describe('stanza error received → IMTP Error-Type (docs/adapters/xmpp-mapping.md "Errors" column 3)', () => {
  const table: [string, string][] = [
    ['item-not-found', 'target-not-found'],
    ['jid-malformed', 'target-not-found'],
    ['remote-server-not-found', 'target-not-found'],
    ['recipient-unavailable', 'no-listeners'],
    ['forbidden', 'target-authorization'],
    ['not-allowed', 'target-authorization'],
    ['not-authorized', 'target-authorization'],
    ['registration-required', 'target-authorization'],
    ['subscription-required', 'target-authorization'],
    ['resource-constraint', 'resources'],
    ['policy-violation', 'quota'],
    ['remote-server-timeout', 'communications'],
    ['internal-server-error', 'communications'],
    ['undefined-condition', 'communications'],
    ['bad-request', 'malformed'],
    ['not-acceptable', 'malformed'],
    ['gone', 'communications'],
    ['made-up-condition', 'communications'],
  ];
  for (const [condition, hub] of table) {
    it(`<${condition}/> → ${hub}`, () => expect(stanzaErrorToHub(condition, 'message')).toBe(hub));
  }
  it('reads service-unavailable as no-listeners only on a message', () => {
    expect(stanzaErrorToHub('service-unavailable', 'message')).toBe('no-listeners');
    expect(stanzaErrorToHub('service-unavailable', 'iq')).toBe('communications');
    expect(stanzaErrorToHub('service-unavailable', 'presence')).toBe('communications');
  });
  it('maps every RFC 6120 §8.3.3 condition to a known Error-Type', () => {
    expect(STANZA_CONDITIONS).toHaveLength(22);
    for (const c of STANZA_CONDITIONS) expect(ERROR_TYPES).toContain(stanzaErrorToHub(c, 'message'));
  });
});

describe('rules around errors', () => {
  it('never answers an error with an error (RFC 6120 §8.3.1)', () => {
    expect(mayAnswerWithError('error')).toBe(false);
    expect(mayAnswerWithError('chat')).toBe(true);
    expect(mayAnswerWithError(undefined)).toBe(true);
  });
  it('answers RFC 3923 §7 end-to-end failures', () => {
    expect(e2eFailureToStanza('unsupported').condition).toBe('service-unavailable');
    expect(e2eFailureToStanza('bad-signature').condition).toBe('not-acceptable');
    expect(e2eFailureToStanza('bad-timestamp').condition).toBe('not-acceptable');
    expect(e2eFailureToStanza('cannot-decrypt').condition).toBe('bad-request');
  });
});
