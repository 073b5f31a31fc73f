/**
 * SASL for the hub protocol (draft-hudson-impp-transfer-proposal-01 §14.1, RFC 4422), pure:
 * mechanisms are small objects that turn responses into challenges/outcomes, with credential
 * checks delegated to callbacks. Mechanisms: PLAIN (RFC 4616), EXTERNAL (RFC 4422 appendix A),
 * ANONYMOUS (RFC 4505, off unless configured). None negotiates a security layer, so the
 * "security layer starts after ok" rule (§14.1, part 3 row 21) never changes the byte stream here.
 */
import { firstInvalidUtf8 } from '../model/utf8.js';
import type { Strength } from '../protocol/index.js';

/** draft §14.1: the GSSAPI service names (part 3 row 23). */
export const GSSAPI_SERVICE = Object.freeze({ pitp: 'PITP', imtp: 'IMTP' } as const);

/** What the socket layer knows about the link. */
export interface LinkInfo {
  readonly service: 'PITP' | 'IMTP';
  /** Our host name, for mechanisms that need a service principal. */
  readonly hostname: string;
  /** The connection runs over TLS (the project's TLS-on-connect extension, part 4 row 2). */
  readonly tls: boolean;
  /** The peer presented a client certificate that verified (mutual TLS). */
  readonly mutualTls: boolean;
}

export interface SaslIdentity {
  readonly mechanism: string;
  /** The identity the connection now acts as (authzid if granted, else the authenticated one). */
  readonly identity: string;
  readonly strength: Strength;
}

export type SaslOutcome =
  | { readonly kind: 'challenge'; readonly challenge: Uint8Array }
  | { readonly kind: 'success'; readonly identity: SaslIdentity; readonly additional: Uint8Array | null }
  | { readonly kind: 'failure'; readonly reason: string };

/** One server-side exchange; `step(null)` = the first auth carried no initial response. */
export interface SaslServerExchange {
  step(response: Uint8Array | null): SaslOutcome;
}

export interface SaslServerMechanism {
  readonly name: string;
  /** Whether to offer it on this link (decided once per connection: the =mech list must not change, §14.1). */
  available(link: LinkInfo): boolean;
  start(link: LinkInfo): SaslServerExchange;
}

/** What the session needs on the accepting side. */
export interface SaslServer {
  readonly mechanisms: readonly string[];
  /** null when the mechanism is not offered. */
  start(mechanism: string): SaslServerExchange | null;
}

export interface SaslClientMechanism {
  readonly name: string;
  /** The initial response (sent as the first auth payload), or null to send none. */
  initial(): Uint8Array | null;
  /** The answer to a challenge, or null to abort the exchange. */
  challenge(data: Uint8Array): Uint8Array | null;
}

/**
 * docs/hub-protocol.md part 4 row 12: none for no auth/ANONYMOUS; weak for PLAIN in clear; medium for
 * PLAIN under TLS, DIGEST-MD5, CRAM-MD5, OTP; strong for GSSAPI and EXTERNAL over mutual TLS.
 */
export function strengthOf(mechanism: string | null, link: Pick<LinkInfo, 'tls' | 'mutualTls'>): Strength {
  switch (mechanism) {
    case 'PLAIN':
      return link.tls ? 'medium' : 'weak';
    case 'DIGEST-MD5':
    case 'CRAM-MD5':
    case 'OTP':
      return 'medium';
    case 'GSSAPI':
      return 'strong';
    case 'EXTERNAL':
      // Strong only when the external identity is a verified client certificate; otherwise we
      // do not know what it rests on and claim nothing.
      return link.mutualTls ? 'strong' : 'none';
    default:
      return 'none';
  }
}

const EMPTY = new Uint8Array(0);
const NUL = 0;

function utf8(bytes: Uint8Array): string | null {
  return firstInvalidUtf8(bytes) === -1
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    : null;
}

function success(mechanism: string, identity: string, link: LinkInfo): SaslOutcome {
  return {
    kind: 'success',
    identity: { mechanism, identity, strength: strengthOf(mechanism, link) },
    additional: null,
  };
}

/**
 * Runs a one-message client-first mechanism: with no initial response the server sends an empty
 * challenge (RFC 4422 §5, §14.1 part 3 row 19: a sasl-challenge always carries a payload), then
 * the next response is the message.
 */
function clientFirst(finish: (message: Uint8Array) => SaslOutcome): SaslServerExchange {
  let asked = false;
  return {
    step(response) {
      if (response === null) {
        if (asked) return { kind: 'failure', reason: 'no response' };
        asked = true;
        return { kind: 'challenge', challenge: EMPTY };
      }
      return finish(response);
    },
  };
}

/** Checks PLAIN credentials; returns the identity to act as, or null to refuse. authzid is undefined when absent. */
export type PlainVerifier = (authcid: string, password: string, authzid: string | undefined) => string | null;

export interface PlainOptions {
  readonly verify: PlainVerifier;
  /** Offer PLAIN only under TLS (default false: the draft has no TLS, part 4 row 2). */
  readonly requireTls?: boolean;
  /**
   * Asked with the account a well-formed message names (authcid) before its password is checked:
   * a reason refuses the attempt unchecked (authentication backoff, issue 13 defect 5); null
   * lets it be checked.
   */
  readonly admit?: (authcid: string) => string | null;
}

/** RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd, each ≤ 255 octets, UTF-8, no NUL. */
export function parsePlain(
  message: Uint8Array,
): { authzid: string | undefined; authcid: string; password: string } | null {
  const a = message.indexOf(NUL);
  const b = a === -1 ? -1 : message.indexOf(NUL, a + 1);
  if (a === -1 || b === -1 || message.indexOf(NUL, b + 1) !== -1) return null;
  const parts = [message.subarray(0, a), message.subarray(a + 1, b), message.subarray(b + 1)];
  if (parts[0]!.length > 255 || parts[1]!.length === 0 || parts[1]!.length > 255) return null;
  if (parts[2]!.length === 0 || parts[2]!.length > 255) return null;
  const [authzid, authcid, password] = parts.map(utf8);
  if (authzid == null || authcid == null || password == null) return null;
  return { authzid: authzid === '' ? undefined : authzid, authcid, password };
}

export function plainServer(options: PlainOptions): SaslServerMechanism {
  return {
    name: 'PLAIN',
    available: (link) => !options.requireTls || link.tls,
    start: (link) =>
      clientFirst((message) => {
        const creds = parsePlain(message);
        if (creds === null) return { kind: 'failure', reason: 'malformed PLAIN message (RFC 4616 §2)' };
        const refused = options.admit?.(creds.authcid) ?? null;
        if (refused !== null) return { kind: 'failure', reason: refused };
        const identity = options.verify(creds.authcid, creds.password, creds.authzid);
        return identity === null
          ? { kind: 'failure', reason: 'invalid credentials' }
          : success('PLAIN', identity, link);
      }),
  };
}

/**
 * EXTERNAL: the identity comes from outside SASL, here the TLS layer. `identity(authzid)` is
 * supplied per connection by the socket layer; it returns the identity to act as (null refuses),
 * given the requested authzid (undefined when the client asked for none).
 */
export interface ExternalOptions {
  readonly identity: (authzid: string | undefined) => string | null;
}

export function externalServer(options: ExternalOptions): SaslServerMechanism {
  return {
    name: 'EXTERNAL',
    // Offered only with a verified client certificate: that is the external identity.
    available: (link) => link.mutualTls,
    start: (link) =>
      clientFirst((message) => {
        // RFC 4422 appendix A.1: the message is the authzid, possibly empty.
        const authzid = utf8(message);
        if (authzid === null || authzid.includes('\0'))
          return { kind: 'failure', reason: 'malformed EXTERNAL message' };
        const identity = options.identity(authzid === '' ? undefined : authzid);
        return identity === null
          ? { kind: 'failure', reason: 'external identity refused' }
          : success('EXTERNAL', identity, link);
      }),
  };
}

export interface AnonymousOptions {
  /** The identity anonymous peers act as (default "anonymous"). */
  readonly identity?: string;
}

export function anonymousServer(options: AnonymousOptions = {}): SaslServerMechanism {
  const identity = options.identity ?? 'anonymous';
  return {
    name: 'ANONYMOUS',
    available: () => true,
    start: (link) =>
      clientFirst((message) => {
        // RFC 4505 §3: optional trace information, UTF-8, at most 255 characters.
        const trace = utf8(message);
        if (trace === null || Array.from(trace).length > 255)
          return { kind: 'failure', reason: 'malformed ANONYMOUS trace' };
        return success('ANONYMOUS', identity, link);
      }),
  };
}

export interface SaslServerOptions {
  readonly plain?: PlainOptions;
  readonly external?: ExternalOptions;
  /** ANONYMOUS is off unless set. */
  readonly anonymous?: AnonymousOptions | boolean;
  /** More mechanisms (GSSAPI, tests), offered after the built-in ones. */
  readonly extra?: readonly SaslServerMechanism[];
}

/** The server side for one connection: the mechanism list is fixed here, so the =mech resent after auth is identical. */
export function createSaslServer(options: SaslServerOptions, link: LinkInfo): SaslServer {
  const all: SaslServerMechanism[] = [];
  if (options.external) all.push(externalServer(options.external));
  if (options.plain) all.push(plainServer(options.plain));
  if (options.anonymous) all.push(anonymousServer(options.anonymous === true ? {} : options.anonymous));
  all.push(...(options.extra ?? []));
  const offered = all.filter((m) => m.available(link));
  const byName = new Map(offered.map((m) => [m.name, m]));
  return {
    mechanisms: offered.map((m) => m.name),
    start: (name) => byName.get(name)?.start(link) ?? null,
  };
}

// --- Client side -----------------------------------------------------------------------------

const enc = new TextEncoder();

function once(name: string, message: Uint8Array): SaslClientMechanism {
  let sent = false;
  return {
    name,
    initial() {
      sent = true;
      return message;
    },
    // An empty challenge after no initial response: send the message; anything else aborts.
    challenge(data) {
      if (sent || data.length !== 0) return null;
      sent = true;
      return message;
    },
  };
}

/** RFC 4616 client: sends [authzid] NUL authcid NUL password as the initial response. */
export function plainClient(authcid: string, password: string, authzid = ''): SaslClientMechanism {
  if ([authzid, authcid, password].some((s) => s.includes('\0')))
    throw new RangeError('PLAIN fields must not contain NUL');
  return once('PLAIN', enc.encode(`${authzid}\0${authcid}\0${password}`));
}

/** RFC 4422 appendix A: the initial response is the requested authzid (empty = derive it). */
export function externalClient(authzid = ''): SaslClientMechanism {
  return once('EXTERNAL', enc.encode(authzid));
}

/** RFC 4505: optional trace information. */
export function anonymousClient(trace = ''): SaslClientMechanism {
  return once('ANONYMOUS', enc.encode(trace));
}
