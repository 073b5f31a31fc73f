import { describe, expect, it } from 'vitest';
import { hubLimitsSchema } from '../config/schema.js';
import { externalIdentity, plainVerifier } from './accounts.js';
import { frameLimits } from './connection.js';
import { DEFAULT_FRAME_LIMITS } from './frame/index.js';
import { certificateNames, parseSubjectAltName } from './tls.js';
import type { PeerCertificate } from 'node:tls';

const accounts = [
  { user: 'alice', password: 'secret', identities: ['im:alice@hub.example.net'] },
  { user: 'gw.partner.example', identities: ['im:*@partner.example'] },
];

describe('PLAIN against hub.accounts', () => {
  const verify = plainVerifier(accounts);
  it('accepts the right password and acts as the account user', () => {
    expect(verify('alice', 'secret', undefined)).toBe('alice');
    expect(verify('alice', 'secret', 'alice')).toBe('alice');
  });
  it('refuses a wrong password, an unknown user, another authzid and password-less accounts', () => {
    expect(verify('alice', 'secreT', undefined)).toBeNull();
    expect(verify('alice', 'secret\0', undefined)).toBeNull();
    expect(verify('mallory', 'secret', undefined)).toBeNull();
    expect(verify('alice', 'secret', 'gw.partner.example')).toBeNull();
    expect(verify('gw.partner.example', '', undefined)).toBeNull();
  });
});

describe('EXTERNAL from certificate names', () => {
  it('takes the first name that is an account, or the requested one if the certificate names it', () => {
    const id = externalIdentity(accounts, ['nobody', 'gw.partner.example', 'alice']);
    expect(id(undefined)).toBe('gw.partner.example');
    expect(id('alice')).toBe('alice');
    expect(id('nobody')).toBeNull();
    expect(externalIdentity(accounts, ['carol'])(undefined)).toBeNull();
  });
});

describe('certificate names', () => {
  it('parses subjectAltName, quoted values included', () => {
    expect(parseSubjectAltName('DNS:localhost, IP Address:127.0.0.1, DNS:"a, b", URI:im:x@y')).toEqual([
      { type: 'DNS', value: 'localhost' },
      { type: 'IP Address', value: '127.0.0.1' },
      { type: 'DNS', value: 'a, b' },
      { type: 'URI', value: 'im:x@y' },
    ]);
  });
  it('lists CN first, then DNS, email and URI names', () => {
    const cert = { subject: { CN: 'alice' }, subjectaltname: 'IP Address:10.0.0.1, DNS:bob, email:c@d' };
    expect(certificateNames(cert as unknown as PeerCertificate)).toEqual(['alice', 'bob', 'c@d']);
  });
});

describe('hub.limits → frame limits', () => {
  it('maps the keys and picks the payload limit by protocol; defaults match the frame layer', () => {
    const limits = hubLimitsSchema.parse({});
    const imtp = frameLimits(limits, 'imtp');
    expect(imtp).toEqual({ ...DEFAULT_FRAME_LIMITS, maxPayloadSize: 65536 });
    expect(frameLimits(limits, 'pitp').maxPayloadSize).toBe(16384);
  });
});
