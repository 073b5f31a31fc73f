import { describe, expect, it } from 'vitest';
import { senderAddressProblem } from './envelope-checks.js';

describe('senderAddressProblem', () => {
  it('accepts ASCII, and a domain smtp-server decoded from its A-label', () => {
    expect(senderAddressProblem('alice@example.org', {})).toBeNull();
    // On the wire `alice@xn--bcher-kva.test`: smtp-server hands it over as Unicode.
    expect(senderAddressProblem('alice@bücher.test', {})).toBeNull();
  });

  it('refuses a non-ASCII local part without SMTPUTF8 (RFC 6531 3.4), accepts it with', () => {
    expect(senderAddressProblem('zoë@example.org', {})?.status).toBe('5.6.7');
    expect(senderAddressProblem('zoë@example.org', { SMTPUTF8: true })).toBeNull();
  });

  it('refuses octets that were not UTF-8 (decoded as U+FFFD)', () => {
    expect(senderAddressProblem('\uFFFD@example.org', { SMTPUTF8: true })?.status).toBe('5.1.7');
  });
});
