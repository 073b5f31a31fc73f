/**
 * Who really sent a mail: SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489) checked with
 * mailauth, and the result expressed as the draft's Astrength (draft §11.4), which the adapter
 * puts on the IMTP send it issues. The router keeps the weaker of the adapter link's strength and
 * that header (draft §11.4 MUST), so the value reaches every later hop.
 */
import { Resolver } from 'node:dns/promises';
import type { DNSResolver } from 'mailauth';
import { strengthRank, type Strength } from '../../src/index.js';

/** The adapter's `senderAuth.minStrength` check, on the protocol's Astrength scale. */
export function atLeast(s: Strength, min: Strength): boolean {
  return strengthRank(s) >= strengthRank(min);
}

export interface AuthFacts {
  /** Authenticated with SMTP AUTH as a user allowed to use the From address. */
  readonly smtpAuth: boolean;
  /** The session ran over TLS (STARTTLS). */
  readonly tls: boolean;
  /** DMARC result: pass, fail, none, temperror, ... */
  readonly dmarc: string;
  /** The DMARC pass rests on an aligned DKIM signature. */
  readonly alignedDkim: boolean;
  /** The DMARC pass rests on an aligned SPF pass. */
  readonly alignedSpf: boolean;
}

/**
 * Draft §11.4's scale applied to mail:
 * - medium: SMTP AUTH over TLS, or a DMARC pass on an aligned DKIM signature (both forgeable only
 *   by DNS spoofing or by substituting packets, the draft's examples of medium);
 * - weak: SMTP AUTH without TLS (a cleartext password, replayable after eavesdropping), or a
 *   DMARC pass on aligned SPF alone (an address-based check);
 * - none: anything else: the From is a claim anyone can make.
 * Never strong: mail has no end-to-end-unforgeable origin the gateway checks.
 */
export function strengthOf(f: AuthFacts): Strength {
  if (f.smtpAuth) return f.tls ? 'medium' : 'weak';
  if (f.dmarc === 'pass' && f.alignedDkim) return 'medium';
  if (f.dmarc === 'pass' && f.alignedSpf) return 'weak';
  return 'none';
}

export interface Verdict {
  readonly spf: string;
  readonly dkim: string;
  readonly dmarc: string;
  /** The sender domain's DMARC policy (p= or sp=), when it has one. */
  readonly policy?: string | undefined;
  readonly alignedDkim: boolean;
  readonly alignedSpf: boolean;
}

export interface CheckInput {
  readonly message: Buffer;
  readonly ip: string;
  readonly helo: string;
  readonly mailFrom: string;
  readonly mta: string;
}

export type Checker = (input: CheckInput) => Promise<Verdict>;

/** The resolver mailauth uses: the given servers, else the system's. */
export function makeResolver(servers: readonly string[] | undefined): DNSResolver {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (servers !== undefined && servers.length > 0) r.setServers([...servers]);
  return (name, rrtype) => r.resolve(name, rrtype) as Promise<string[][] | string[]>;
}

/**
 * The check run in process, on the calling thread. mailauth (sender-auth-task.ts) is loaded on
 * the first check, not with the adapter: it is the costliest module of the gateway to load, and
 * the pool's workers load their own copy (issue 14: start to listening under a second).
 */
export async function checkInProcess(input: CheckInput, resolver: DNSResolver): Promise<Verdict> {
  const { checkMail } = await import('./sender-auth-task.js');
  return checkMail(input, resolver);
}

/** The check run in process, on the calling thread (no pool: tests and tools; see sender-auth-pool.ts). */
export function makeChecker(resolver: DNSResolver): Checker {
  return (input) => checkInProcess(input, resolver);
}
