/** Sign-in tokens: fixed ones and HMAC-SHA256 signed ones with expiry. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenVerifier, mintToken } from './tokens.js';

const SECRET = 's'.repeat(32);
const v = new TokenVerifier({
  tokens: [{ user: 'alice', token: 'fixed-token-alice' }],
  hmacSecret: SECRET,
  maxTokenLifetimeSeconds: 3600,
});

function sign(payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

describe('websocket tokens', () => {
  it('accepts fixed and signed tokens', () => {
    expect(v.check('fixed-token-alice')).toEqual({ ok: true, user: 'alice' });
    const now = Date.UTC(2026, 0, 1);
    expect(v.check(mintToken(SECRET, 'bob', 60, now), now)).toEqual({
      ok: true,
      user: 'bob',
      expiresAt: now + 60_000,
    });
    // The documented format, built by hand as a site would.
    expect(v.check(sign({ sub: 'carol', exp: now / 1000 + 10 }), now)).toMatchObject({
      ok: true,
      user: 'carol',
    });
  });

  it('refuses everything else with a reason', () => {
    const now = Date.UTC(2026, 0, 1);
    const reason = (t: string) => {
      const r = v.check(t, now);
      return r.ok ? 'ok' : `${r.code}: ${r.reason}`;
    };
    expect(reason('nope')).toBe('auth-failed: unknown token');
    expect(reason(mintToken('t'.repeat(32), 'bob', 60, now))).toBe('auth-failed: bad signature');
    expect(reason(mintToken(SECRET, 'bob', -1, now))).toBe('token-expired: the token has expired');
    expect(reason(mintToken(SECRET, 'bob', 7200, now))).toBe(
      'auth-failed: the token lives longer than allowed',
    );
    expect(reason(mintToken(SECRET, 'Bob!', 60, now))).toBe('auth-failed: "sub" is not a valid user name');
    expect(reason(sign({ sub: 'bob' }))).toBe('auth-failed: "exp" (seconds since 1970) is required');
    expect(reason(sign('x').replace(/^[^.]+/, 'bm90IGpzb24'))).toBe('auth-failed: bad signature');
    const noSecret = new TokenVerifier({ tokens: [], maxTokenLifetimeSeconds: 1 });
    expect(noSecret.check(mintToken(SECRET, 'bob', 60)).ok).toBe(false);
  });
});
