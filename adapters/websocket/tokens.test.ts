/** Sign-in tokens: fixed ones, and JWTs (HS256, EdDSA) checked by jose. */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenVerifier, claimedUser, mintToken, type TokenOptions } from './tokens.js';

const SECRET = 's'.repeat(32);
const NOW = Date.UTC(2026, 0, 1);
const SECONDS = NOW / 1000;
const ed = generateKeyPairSync('ed25519');
const edPem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const base: TokenOptions = {
  tokens: [{ user: 'alice', token: 'fixed-token-alice' }],
  hmacSecret: SECRET,
  audience: 'cpim-gateway',
  clockSkewSeconds: 30,
  maxTokenLifetimeSeconds: 3600,
};
const v = new TokenVerifier(base);

async function reason(verifier: TokenVerifier, token: string, now = NOW): Promise<string> {
  const r = await verifier.check(token, now);
  return r.ok ? `ok ${r.user}` : `${r.code}: ${r.reason}`;
}

/** A token built by hand from its parts, as a site without jose would (RFC 7515 7.1). */
function handMade(header: object, claims: object, key = SECRET): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc(header)}.${enc(claims)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('websocket tokens', () => {
  it('accepts fixed tokens at once and valid HS256 tokens with their expiry', async () => {
    expect(v.check('fixed-token-alice')).toEqual({ ok: true, user: 'alice' });
    expect(await v.check(await mintToken(SECRET, 'bob', 60, { now: NOW }), NOW)).toEqual({
      ok: true,
      user: 'bob',
      expiresAt: NOW + 60_000,
    });
    const hs = handMade(
      { alg: 'HS256', typ: 'JWT' },
      { sub: 'carol', aud: 'cpim-gateway', exp: SECONDS + 10 },
    );
    expect(await reason(v, hs)).toBe('ok carol');
  });

  it('checks exp and nbf with the configured clock skew', async () => {
    const expired = await mintToken(SECRET, 'bob', -60, { now: NOW });
    expect(await reason(v, expired)).toBe('token-expired: the token has expired');
    // 10 s past exp is within the 30 s skew.
    expect(await reason(v, await mintToken(SECRET, 'bob', -10, { now: NOW }))).toBe('ok bob');
    const later = (nbf: number) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('bob')
        .setAudience('cpim-gateway')
        .setNotBefore(SECONDS + nbf)
        .setExpirationTime(SECONDS + 600)
        .sign(new TextEncoder().encode(SECRET));
    expect(await reason(v, await later(120))).toBe('auth-failed: "nbf" claim timestamp check failed');
    expect(await reason(v, await later(20))).toBe('ok bob');
    const strict = new TokenVerifier({ ...base, clockSkewSeconds: 0 });
    expect(await reason(strict, await later(20))).toBe('auth-failed: "nbf" claim timestamp check failed');
  });

  it('checks audience, issuer, lifetime, subject and required claims', async () => {
    const other = await mintToken(SECRET, 'bob', 60, { now: NOW, audience: 'another-service' });
    expect(await reason(v, other)).toBe('auth-failed: unexpected "aud" claim value');
    const issuing = new TokenVerifier({ ...base, issuer: 'https://site.example' });
    expect(await reason(issuing, await mintToken(SECRET, 'bob', 60, { now: NOW }))).toBe(
      'auth-failed: missing required "iss" claim',
    );
    const good = await mintToken(SECRET, 'bob', 60, { now: NOW, issuer: 'https://site.example' });
    expect(await reason(issuing, good)).toBe('ok bob');
    expect(await reason(v, await mintToken(SECRET, 'bob', 7200, { now: NOW }))).toBe(
      'auth-failed: the token lives longer than allowed',
    );
    expect(await reason(v, await mintToken(SECRET, 'Bob!', 60, { now: NOW }))).toBe(
      'auth-failed: "sub" is not a valid user name',
    );
    const noExp = handMade({ alg: 'HS256' }, { sub: 'bob', aud: 'cpim-gateway' });
    expect(await reason(v, noExp)).toBe('auth-failed: missing required "exp" claim');
  });

  it('refuses a wrong key, alg none, alg confusion and garbage', async () => {
    expect(await reason(v, 'nope')).toBe('auth-failed: not a valid token (ERR_JWS_INVALID)');
    expect(await reason(v, await mintToken('t'.repeat(32), 'bob', 60, { now: NOW }))).toBe(
      'auth-failed: bad signature',
    );
    const none = new UnsecuredJWT({ sub: 'bob', aud: 'cpim-gateway' })
      .setExpirationTime(SECONDS + 60)
      .encode();
    expect(await reason(v, none)).toMatch(/^auth-failed: /);
    const claims = { sub: 'bob', aud: 'cpim-gateway', exp: SECONDS + 60 };
    // alg confusion: an HS256 token whose "secret" is the public key's PEM text (RFC 8725 2.1).
    const both = new TokenVerifier({ ...base, publicKey: edPem });
    expect(await reason(both, handMade({ alg: 'HS256' }, claims, edPem))).toBe('auth-failed: bad signature');
    const edOnly = new TokenVerifier({ ...base, hmacSecret: undefined, publicKey: edPem });
    expect(await reason(edOnly, handMade({ alg: 'HS256' }, claims, edPem))).toBe(
      'auth-failed: this signature algorithm is not accepted',
    );
    expect(await reason(edOnly, handMade({ alg: 'none' }, claims))).toBe(
      'auth-failed: this signature algorithm is not accepted',
    );
    const noKeys = new TokenVerifier({ ...base, hmacSecret: undefined });
    expect(await reason(noKeys, await mintToken(SECRET, 'bob', 60))).toBe('auth-failed: unknown token');
  });

  it('verifies EdDSA (Ed25519) tokens from PEM text or a key file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    writeFileSync(join(dir, 'ed.pem'), edPem);
    const fromFile = new TokenVerifier({
      ...base,
      hmacSecret: undefined,
      publicKeyFile: join(dir, 'ed.pem'),
    });
    const fromText = new TokenVerifier({ ...base, publicKey: edPem });
    const t = await mintToken(ed.privateKey, 'dana', 60, { now: NOW });
    expect(await reason(fromFile, t)).toBe('ok dana');
    expect(await reason(fromText, t)).toBe('ok dana');
    const stranger = generateKeyPairSync('ed25519').privateKey;
    expect(await reason(fromText, await mintToken(stranger, 'dana', 60, { now: NOW }))).toBe(
      'auth-failed: bad signature',
    );
    // EdDSA-signed, but the verifier only knows the HS256 secret.
    expect(await reason(v, t)).toBe('auth-failed: this signature algorithm is not accepted');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(() => new TokenVerifier({ ...base, publicKey: rsa.toString() })).toThrow(/Ed25519/);
  });

  it('reads the claimed user of a token without verifying it (the key failures count under)', async () => {
    expect(claimedUser(await mintToken('any other secret', 'alice', 60))).toBe('alice');
    expect(claimedUser(handMade({ alg: 'HS256' }, { sub: 'Not A Name' }))).toBeUndefined();
    expect(claimedUser(handMade({ alg: 'HS256' }, { sub: 42 }))).toBeUndefined();
    expect(claimedUser('fixed-token-alice')).toBeUndefined();
    expect(claimedUser('a.b.c')).toBeUndefined();
  });
});
