/**
 * The authentication half of a session (draft-hudson-impp-transfer-proposal-01 §6.4, §14.1):
 * `AuthAcceptor` runs the SASL server on the accepting side, `AuthInitiator` the client side.
 * Both only produce frames into the session's batch and call its hooks. No I/O.
 */
import { HubError } from '../errors.js';
import type { FrameBatch } from './frame/encode.js';
import type { CommandFrame, ResponseFrame } from './frame/index.js';
import { getHeader, type Header, type Strength } from '../protocol/index.js';
import { errorHeaders } from './replies.js';
import type { SaslClientMechanism, SaslOutcome, SaslServer, SaslServerExchange } from './sasl.js';
import type { CloseCode, NoticeCode, SessionHooks } from './session-types.js';

export interface AuthInfo {
  readonly mechanism: string;
  /** Acceptor: the identity the peer acts as. Initiator: null (the acceptor does not say). */
  readonly identity: string | null;
  /** Acceptor: the link strength (part 4 row 12). Initiator: 'none' (unknown to us). */
  readonly strength: Strength;
}

/** What the session lends the auth code. */
export interface AuthIo {
  readonly out: FrameBatch;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly hooks: SessionHooks<any>;
  note(code: NoticeCode, message: string, id?: string): void;
  close(code: CloseCode, message: string): void;
  /** Sends a command that bypasses the "only auth during an exchange" guard; returns its id. */
  issue(method: string, headers: readonly Header[], payload: Uint8Array | null): string;
}

export class AuthAcceptor {
  identity: AuthInfo | null = null;
  readonly mechanisms: readonly string[];
  private exchange: SaslServerExchange | null = null;
  private mechanism = '';
  private failures = 0;
  private started = false;

  constructor(
    private readonly io: AuthIo,
    private readonly sasl: SaslServer | null,
    private readonly maxFailures: number,
  ) {
    this.mechanisms = sasl === null ? [] : [...sasl.mechanisms];
  }

  get inExchange(): boolean {
    return this.exchange !== null;
  }

  /** draft §6.4, §10, part 3 row 3: the accepting side sends its mechanism list at once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.io.out.mech(this.mechanisms);
  }

  /** An `auth` command that passed the method table's checks. */
  onAuth(f: CommandFrame): void {
    const mechanism = getHeader(f.headers, 'Mechanism');
    // draft §14.1, part 3 row 18: Abort's value "MUST be ignored if present".
    const abort = getHeader(f.headers, 'Abort') !== undefined;
    // Decision: no re-authentication on a connection (the draft does not provide for it).
    if (this.identity !== null) return this.error(f, 'malformed', 'already authenticated');
    let outcome: SaslOutcome;
    if (this.exchange === null) {
      // draft §14.1, part 3 row 17: the first step MUST carry Mechanism.
      if (mechanism === undefined)
        return this.error(f, 'malformed', 'the first auth needs a Mechanism header');
      if (abort) return this.error(f, 'malformed', 'no authentication exchange to abort');
      const exchange = this.sasl?.start(mechanism) ?? null;
      if (exchange === null) return this.fail(f, `mechanism ${mechanism} is not offered`);
      this.exchange = exchange;
      this.mechanism = mechanism;
      outcome = exchange.step(f.payload ?? null);
    } else {
      // part 3 row 17: continuation steps MUST NOT carry Mechanism.
      if (mechanism !== undefined) {
        this.exchange = null;
        return this.error(f, 'malformed', 'Mechanism is only allowed on the first auth of an exchange');
      }
      if (abort) {
        // draft §14.1: ok = aborted.
        this.exchange = null;
        this.io.note('auth-aborted', 'the initiator aborted the authentication exchange', f.id);
        this.io.out.response(f.id, 'ok', 'auth', []);
        return;
      }
      // part 3 row 18: a continuation without Abort MUST carry the response.
      if (f.payload === undefined) {
        this.exchange = null;
        return this.error(f, 'malformed', 'a continuing auth must carry the response as payload');
      }
      outcome = this.exchange.step(f.payload);
    }
    this.settle(f, outcome);
  }

  private settle(f: CommandFrame, outcome: SaslOutcome): void {
    switch (outcome.kind) {
      case 'challenge':
        // draft §14.1, part 3 row 19: sasl-challenge MUST carry the challenge (possibly empty).
        this.io.out.response(
          f.id,
          'error',
          'auth',
          errorHeaders(new HubError('sasl-challenge', ''), 'auth'),
          outcome.challenge,
        );
        return;
      case 'success': {
        this.exchange = null;
        this.identity = {
          mechanism: outcome.identity.mechanism,
          identity: outcome.identity.identity,
          strength: outcome.identity.strength,
        };
        // draft §14.1, part 3 rows 21-22: ok (maybe with additional data), then the identical
        // =mech before anything else. No mechanism here negotiates a security layer.
        this.io.out.response(f.id, 'ok', 'auth', [], outcome.additional);
        this.io.out.mech(this.mechanisms);
        this.io.hooks.authenticated?.(this.identity);
        return;
      }
      case 'failure':
        this.exchange = null;
        this.fail(f, outcome.reason);
        return;
    }
  }

  private error(f: CommandFrame, type: 'malformed', why: string): void {
    this.io.out.response(f.id, 'error', 'auth', errorHeaders(new HubError(type, why), 'auth'));
  }

  /** sasl-failure; part 4 row 30: a new auth may follow, but the connection closes after `maxFailures`. */
  private fail(f: CommandFrame, why: string): void {
    this.failures++;
    this.io.out.response(f.id, 'error', 'auth', errorHeaders(new HubError('sasl-failure', why), 'auth'));
    this.io.hooks.authFailed?.(why, this.failures);
    if (this.failures >= this.maxFailures) {
      this.io.close(
        'auth-failures',
        `${this.failures} failed authentications (docs/hub-protocol.md part 4 row 30)`,
      );
    }
  }
}

function sameList(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && a.every((m, i) => m === b[i]);
}

export class AuthInitiator {
  identity: AuthInfo | null = null;
  peerMechanisms: readonly string[] | null = null;
  private client: SaslClientMechanism | null = null;
  private aborting = false;
  /** The mechanism that succeeded, while we wait for the acceptor's second =mech. */
  private succeeded: string | null = null;
  private failures = 0;

  constructor(private readonly io: AuthIo) {}

  /** An exchange runs (draft §14.1: nothing but auth may be sent). */
  get busy(): boolean {
    return this.client !== null || this.succeeded !== null;
  }

  get expectsMech(): boolean {
    return this.succeeded !== null;
  }

  begin(mechanism: SaslClientMechanism): void {
    if (this.busy) throw new Error('an authentication exchange is already running');
    if (this.identity !== null) throw new Error('already authenticated');
    if (this.peerMechanisms !== null && !this.peerMechanisms.includes(mechanism.name)) {
      throw new Error(`mechanism ${mechanism.name} was not offered`);
    }
    this.client = mechanism;
    this.aborting = false;
    this.io.issue('auth', [['Mechanism', mechanism.name]], mechanism.initial());
  }

  onMech(list: readonly string[]): void {
    if (this.succeeded !== null) {
      const mechanism = this.succeeded;
      this.succeeded = null;
      // draft §14.1, part 3 row 22: a different list means the negotiation was tampered with.
      if (!sameList(this.peerMechanisms, list)) {
        this.io.close(
          'mech-mismatch',
          'the mechanism list changed after authentication: possible downgrade (draft §14.1)',
        );
        return;
      }
      this.identity = { mechanism, identity: null, strength: 'none' };
      this.io.hooks.authenticated?.(this.identity);
      return;
    }
    if (this.peerMechanisms === null) {
      this.peerMechanisms = list;
      this.io.hooks.mech?.(list);
      return;
    }
    this.io.note('unexpected-mech', 'a mechanism list outside an authentication');
  }

  onAnswer(r: ResponseFrame): void {
    const client = this.client;
    if (client === null) return;
    if (r.status === 'ok') {
      this.client = null;
      if (this.aborting) {
        this.io.hooks.authFailed?.('aborted', this.failures);
        return;
      }
      this.succeeded = client.name;
      return;
    }
    const type = getHeader(r.headers, 'Error-Type');
    if (type === 'sasl-challenge' && !this.aborting) {
      let reply: Uint8Array | null = null;
      if (r.payload === undefined)
        this.io.note('sasl-protocol', 'sasl-challenge without a payload (draft §14.1 MUST)', r.id);
      else reply = client.challenge(r.payload);
      if (reply === null) {
        this.aborting = true;
        this.io.issue('auth', [['Abort', '']], null);
      } else {
        this.io.issue('auth', [], reply);
      }
      return;
    }
    this.client = null;
    if (type === 'sasl-failure') this.failures++;
    this.io.hooks.authFailed?.(
      getHeader(r.headers, 'Error-Description') ?? type ?? 'authentication failed',
      this.failures,
    );
  }

  /** The answer to our auth could not be parsed. */
  onBrokenAnswer(): void {
    this.client = null;
    this.aborting = false;
    this.io.hooks.authFailed?.('unparseable answer to auth', this.failures);
  }
}
