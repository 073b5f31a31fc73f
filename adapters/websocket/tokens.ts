/**
 * Sign-in tokens for web users: fixed tokens from the configuration, or tokens an existing site
 * signs with a shared secret so that its own login decides who may chat:
 *
 *   token   = base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))
 *   payload = {"sub":"alice","exp":1767225600}      (UTF-8 JSON; exp in seconds since 1970)
 *
 * `sub` is the web user name (config.ts NAME_PATTERN); `exp` is required and must lie within
 * `auth.maxTokenLifetimeSeconds`. base64url is RFC 4648 section 5 without padding; HMAC is
 * RFC 2104 with SHA-256. Comparisons are constant-time so a token cannot be guessed by timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { NAME_PATTERN } from './config.js';

export type TokenCheck =
  | { readonly ok: true; readonly user: string; readonly expiresAt?: number }
  | { readonly ok: false; readonly code: 'auth-failed' | 'token-expired'; readonly reason: string };

export interface TokenOptions {
  readonly tokens: readonly { readonly user: string; readonly token: string }[];
  readonly hmacSecret?: string | undefined;
  readonly maxTokenLifetimeSeconds: number;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sign(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body, 'ascii').digest();
}

/** Signs a token for `user`, valid for `ttlSeconds` (what a site's login does; also for tests). */
export function mintToken(secret: string, user: string, ttlSeconds: number, now = Date.now()): string {
  const payload = { sub: user, exp: Math.floor(now / 1000) + ttlSeconds };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

export class TokenVerifier {
  /** sha256(token) → user: equal-length keys, so lookup leaks nothing useful about near misses. */
  private readonly fixed = new Map<string, string>();

  constructor(private readonly options: TokenOptions) {
    for (const t of options.tokens) this.fixed.set(digest(t.token).toString('hex'), t.user);
  }

  /** Users with fixed tokens: known even before they first sign in. */
  get configuredUsers(): string[] {
    return this.options.tokens.map((t) => t.user);
  }

  check(token: string, now = Date.now()): TokenCheck {
    const user = this.fixed.get(digest(token).toString('hex'));
    if (user !== undefined) return { ok: true, user };
    const secret = this.options.hmacSecret;
    const dot = token.indexOf('.');
    if (secret === undefined || dot < 1 || dot !== token.lastIndexOf('.'))
      return { ok: false, code: 'auth-failed', reason: 'unknown token' };
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = sign(secret, body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, code: 'auth-failed', reason: 'bad signature' };
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, code: 'auth-failed', reason: 'the payload is not JSON' };
    }
    const p = payload as { sub?: unknown; exp?: unknown };
    if (typeof p.sub !== 'string' || !NAME_PATTERN.test(p.sub))
      return { ok: false, code: 'auth-failed', reason: '"sub" is not a valid user name' };
    if (typeof p.exp !== 'number' || !Number.isInteger(p.exp))
      return { ok: false, code: 'auth-failed', reason: '"exp" (seconds since 1970) is required' };
    const nowSeconds = Math.floor(now / 1000);
    if (p.exp <= nowSeconds) return { ok: false, code: 'token-expired', reason: 'the token has expired' };
    if (p.exp - nowSeconds > this.options.maxTokenLifetimeSeconds)
      return { ok: false, code: 'auth-failed', reason: 'the token lives longer than allowed' };
    return { ok: true, user: p.sub, expiresAt: p.exp * 1000 };
  }
}
