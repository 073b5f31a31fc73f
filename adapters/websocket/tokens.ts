/**
 * Sign-in tokens for web users: fixed tokens from the configuration, or JSON Web Tokens
 * (RFC 7519, compact JWS RFC 7515) that an existing site signs so that its own login decides who
 * may chat. Verification is jose's (RFC 7518 HS256 with `auth.hmacSecret`, RFC 8037 EdDSA with
 * an Ed25519 `auth.publicKey`/`auth.publicKeyFile`); only the configured algorithms are accepted,
 * each with its own key, so `alg: none` and HS256-signed-with-the-public-key are refused.
 *
 * Claims (RFC 7519 4.1): `sub` the web user name (config.ts NAME_PATTERN), `exp` required and at
 * most `auth.maxTokenLifetimeSeconds` ahead, `nbf` honoured, `aud` must name `auth.audience`,
 * `iss` must equal `auth.issuer` when that is set; times allow `auth.clockSkewSeconds`.
 * Fixed tokens are compared by SHA-256 digest so lookup leaks nothing useful by timing.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { NAME_PATTERN } from './config.js';

export type TokenCheck =
  | { readonly ok: true; readonly user: string; readonly expiresAt?: number }
  | { readonly ok: false; readonly code: 'auth-failed' | 'token-expired'; readonly reason: string };

export interface TokenOptions {
  readonly tokens: readonly { readonly user: string; readonly token: string }[];
  readonly hmacSecret?: string | undefined;
  readonly publicKey?: string | undefined;
  readonly publicKeyFile?: string | undefined;
  readonly audience: string;
  readonly issuer?: string | undefined;
  readonly clockSkewSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
}

/** The audience a token is minted for when none is named (config.ts `auth.audience` default). */
export const DEFAULT_AUDIENCE = 'cpim-gateway';

export interface MintOptions {
  readonly audience?: string;
  readonly issuer?: string;
  readonly now?: number;
}

/**
 * Signs an HS256 token for `user`, valid for `ttlSeconds` (what a site's login does; also for
 * tests). An Ed25519 private KeyObject signs EdDSA instead.
 */
export function mintToken(
  key: string | KeyObject,
  user: string,
  ttlSeconds: number,
  options: MintOptions = {},
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: typeof key === 'string' ? 'HS256' : 'EdDSA', typ: 'JWT' })
    .setSubject(user)
    .setAudience(options.audience ?? DEFAULT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
}

/** The Ed25519 public key of the configuration, or null; anything else is a configuration error. */
function loadPublicKey(options: TokenOptions): KeyObject | null {
  const pem =
    options.publicKey ?? (options.publicKeyFile ? readFileSync(options.publicKeyFile, 'utf8') : undefined);
  if (pem === undefined) return null;
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`auth.publicKey: an Ed25519 public key is required, not ${key.asymmetricKeyType}`);
  return key;
}

/** A jose failure as the reason the client is told (and the log records). */
function refusal(err: unknown): TokenCheck {
  if (err instanceof errors.JWTExpired)
    return { ok: false, code: 'token-expired', reason: 'the token has expired' };
  let reason = 'not a valid token';
  if (err instanceof errors.JWSSignatureVerificationFailed) reason = 'bad signature';
  else if (err instanceof errors.JOSEAlgNotAllowed) reason = 'this signature algorithm is not accepted';
  else if (err instanceof errors.JWTClaimValidationFailed) reason = err.message;
  else if (err instanceof errors.JOSEError) reason = `not a valid token (${err.code})`;
  return { ok: false, code: 'auth-failed', reason };
}

/**
 * The user a signed token claims to be (its `sub`), read WITHOUT verifying it: only the key under
 * which a failed sign-in is counted (issue 13, src/policy/auth-failures.ts: the account-wide count
 * never delays an address the user has signed in from, so a forged token cannot lock her out).
 * Undefined for a fixed token, an unreadable one, or a `sub` that is no user name.
 */
export function claimedUser(token: string): string | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && NAME_PATTERN.test(sub) ? sub : undefined;
  } catch {
    return undefined;
  }
}

export class TokenVerifier {
  /** sha256(token) → user: equal-length keys, so lookup leaks nothing useful about near misses. */
  private readonly fixed = new Map<string, string>();
  private readonly secret: Uint8Array | null;
  private readonly publicKey: KeyObject | null;
  private readonly algorithms: string[] = [];

  constructor(private readonly options: TokenOptions) {
    for (const t of options.tokens) this.fixed.set(digest(t.token), t.user);
    this.secret = options.hmacSecret === undefined ? null : new TextEncoder().encode(options.hmacSecret);
    this.publicKey = loadPublicKey(options);
    if (this.secret) this.algorithms.push('HS256');
    if (this.publicKey) this.algorithms.push('EdDSA');
  }

  /** Users with fixed tokens: known even before they first sign in. */
  get configuredUsers(): string[] {
    return this.options.tokens.map((t) => t.user);
  }

  /** A fixed token answers at once; a signed one after jose has verified it. */
  check(token: string, now = Date.now()): TokenCheck | Promise<TokenCheck> {
    const user = this.fixed.get(digest(token));
    if (user !== undefined) return { ok: true, user };
    if (this.algorithms.length === 0) return { ok: false, code: 'auth-failed', reason: 'unknown token' };
    return this.verify(token, now);
  }

  private async verify(token: string, now: number): Promise<TokenCheck> {
    const o = this.options;
    const verifyOptions: JWTVerifyOptions = {
      algorithms: this.algorithms,
      audience: o.audience,
      clockTolerance: o.clockSkewSeconds,
      currentDate: new Date(now),
      requiredClaims: ['exp', 'sub'],
      ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
    };
    let payload: JWTPayload;
    try {
      // Each algorithm has its own key: HS256 never verifies with the public key (RFC 8725 2.1).
      ({ payload } = await jwtVerify(
        token,
        (header) => (header.alg === 'HS256' ? this.secret! : this.publicKey!),
        verifyOptions,
      ));
    } catch (err) {
      return refusal(err);
    }
    const sub = payload.sub!;
    if (!NAME_PATTERN.test(sub))
      return { ok: false, code: 'auth-failed', reason: '"sub" is not a valid user name' };
    const exp = payload.exp!;
    if (exp - Math.floor(now / 1000) > o.maxTokenLifetimeSeconds)
      return { ok: false, code: 'auth-failed', reason: 'the token lives longer than allowed' };
    return { ok: true, user: sub, expiresAt: exp * 1000 };
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
