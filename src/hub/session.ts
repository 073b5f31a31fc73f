/**
 * The state machine of one IMTP/PITP connection (draft-hudson-impp-transfer-proposal-01 §6.4, §7,
 * §10, §14), for either end. No sockets, no timers: the socket layer feeds `receive(chunk)` and
 * writes what `hooks.write` gets; the application gets commands and answers through the hooks.
 *
 * Output produced while handling one input chunk is written as one Buffer (docs/architecture.md part 11).
 * Every `sendCommand` gets exactly one `hooks.response` call: the peer's answer, or a synthetic
 * `communications` error when the connection closes first (§7: unanswered commands may be
 * assumed unprocessed; part 4 row 14).
 */
import { HubError } from '../errors.js';
import { FrameBatch } from './frame/encode.js';
import type { RawHeaders, RawRewrite } from './frame/raw.js';
import {
  FrameDecoder,
  type CommandFrame,
  type Frame,
  type FrameError,
  type FrameHandler,
  type MechFrame,
  type ResponseFrame,
} from './frame/index.js';
import {
  checkCommand,
  getHeader,
  methodSpec,
  type Header,
  type Protocol,
  type Strength,
} from '../protocol/index.js';
import { errorHeaders } from './replies.js';
import { PendingTable, type PendingEntry } from './session-pending.js';
import type { SaslClientMechanism } from './sasl.js';
import { admitCommand, type AdmitContext } from './session-admit.js';
import { AuthAcceptor, AuthInitiator, type AuthInfo } from './session-auth.js';
import {
  defaultAuthPolicy,
  plainOk,
  synthetic,
  type CloseCode,
  type CloseReason,
  type NoticeCode,
  type Role,
  type SessionHooks,
  type SessionOptions,
} from './session-types.js';

export type { AuthInfo } from './session-auth.js';
export {
  defaultAuthPolicy,
  type CloseCode,
  type CloseReason,
  type Notice,
  type NoticeCode,
  type Role,
  type SessionHooks,
  type SessionOptions,
} from './session-types.js';

export class Session<C = unknown> implements FrameHandler {
  readonly role: Role;
  readonly protocol: Protocol;
  private readonly decoder: FrameDecoder;
  private readonly out = new FrameBatch();
  private readonly autoFlush: boolean;
  /** What admitCommand needs to know (session-admit.ts); made once, read for every command. */
  private readonly admission: AdmitContext;
  /** Our commands awaiting an answer, by id (draft §10: an id is not reused before its answer). */
  private readonly pending = new PendingTable<C>();
  /** What `pending.take` found (reused: no object per answer). */
  private readonly found: PendingEntry<C> = { method: '', context: undefined, internal: false };
  /** The peer's commands we have not answered yet: id → method. */
  private readonly incoming = new Map<string, string>();
  private counter = 0;
  private inReceive = false;
  private ending = false;
  private closedWith: CloseReason | null = null;
  private readonly acceptorAuth: AuthAcceptor | null;
  private readonly initiatorAuth: AuthInitiator | null;

  constructor(
    options: SessionOptions,
    private readonly hooks: SessionHooks<C>,
  ) {
    this.role = options.role;
    this.protocol = options.protocol;
    this.decoder = new FrameDecoder(this, options.limits);
    this.autoFlush = options.autoFlush ?? true;
    const io = {
      out: this.out,
      hooks,
      note: (code: NoticeCode, message: string, id?: string) => this.note(code, message, id),
      close: (code: CloseCode, message: string) => this.shut({ code, message }),
      issue: (method: string, headers: readonly Header[], payload: Uint8Array | null) =>
        this.issue(method, headers, payload, undefined, true),
    };
    this.acceptorAuth =
      this.role === 'acceptor'
        ? new AuthAcceptor(io, options.sasl ?? null, options.maxAuthFailures ?? 3)
        : null;
    this.initiatorAuth = this.role === 'initiator' ? new AuthInitiator(io) : null;
    this.admission = {
      protocol: this.protocol,
      role: this.role,
      incoming: this.incoming,
      auth: this.acceptorAuth,
      policy: options.allowUnauthenticated ?? defaultAuthPolicy(),
    };
  }

  // --- State ---------------------------------------------------------------------------------

  get closed(): boolean {
    return this.closedWith !== null;
  }

  get closeReason(): CloseReason | null {
    return this.closedWith;
  }

  /** Who the peer authenticated as (acceptor) / that we authenticated (initiator), or null. */
  get authenticated(): AuthInfo | null {
    return this.acceptorAuth?.identity ?? this.initiatorAuth?.identity ?? null;
  }

  /** Acceptor: the strength of this link for Astrength (draft §11.4, part 4 row 12). */
  get linkStrength(): Strength {
    return this.acceptorAuth?.identity?.strength ?? 'none';
  }

  /** Acceptor: the list we advertise; initiator: the list the acceptor sent (null before it). */
  get mechanisms(): readonly string[] | null {
    return this.acceptorAuth?.mechanisms ?? this.initiatorAuth?.peerMechanisms ?? null;
  }

  /** Our commands still waiting for an answer. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** The peer's commands we still owe an answer. */
  get unanswered(): number {
    return this.incoming.size;
  }

  // --- Input ---------------------------------------------------------------------------------

  /** Acceptor: send the mechanism list at once (draft §6.4, §10, part 3 row 3). Initiator: nothing. */
  start(): void {
    this.acceptorAuth?.start();
    this.kick();
  }

  receive(chunk: Uint8Array): void {
    if (this.closedWith !== null) return;
    this.inReceive = true;
    try {
      this.decoder.push(chunk);
    } finally {
      this.inReceive = false;
    }
    this.flush();
  }

  /** The peer closed its side. */
  end(): void {
    if (this.closedWith !== null) return;
    this.ending = true;
    this.decoder.end();
    this.shut({ code: 'peer-closed', message: 'the peer closed the connection' });
  }

  onFrame(frame: Frame): void {
    if (this.closedWith !== null) return;
    if (frame.kind === 'nop') return; // draft §10, part 3 row 15: no effect, no reply.
    if (this.initiatorAuth?.expectsMech && frame.kind !== 'mech') {
      // draft §14.1: after success the acceptor sends =mech before any other command or response.
      this.shut({ code: 'mech-mismatch', message: 'no mechanism list after authentication (draft §14.1)' });
      return;
    }
    if (frame.kind === 'mech') this.onMech(frame);
    else if (frame.kind === 'command') this.onCommand(frame);
    else this.onResponse(frame, frame.id, frame.method);
  }

  /** Issue 18: a bare `ok` answer (frame/decode.ts), taken as `onFrame` would, without a frame. */
  onPlainOk(id: string, method: string): void {
    if (this.closedWith !== null) return;
    if (this.initiatorAuth?.expectsMech) this.onFrame(plainOk(id, method));
    else this.onResponse(null, id, method);
  }

  onFrameError(error: FrameError): void {
    if (this.closedWith !== null) return;
    const where = `${error.reason} (${error.rule}; offset ${error.offset}, line ${error.line})`;
    if (error.fatal) {
      this.shut({ code: this.ending ? 'truncated' : 'protocol-error', message: where, error });
    } else if (error.answer === 'malformed' && error.id !== null && error.method !== null) {
      this.note('malformed-command', where, error.id);
      this.answer(error.id, error.method, new HubError('malformed', error.reason));
    } else {
      // Part 4 row 22: never answer a response. The command it answered fails as `communications`.
      this.note('malformed-response', where, error.id ?? undefined);
      const p = this.found;
      if (error.id !== null && this.pending.take(error.id, p)) {
        if (p.internal) this.initiatorAuth?.onBrokenAnswer();
        else this.hooks.response(synthetic(error.id, p.method, 'unparseable answer'), p.context, true);
      }
    }
  }

  private onMech(frame: MechFrame): void {
    if (this.initiatorAuth === null) {
      this.note('unexpected-mech', 'the initiator sent a mechanism list (draft §10: only the acceptor does)');
      return;
    }
    this.initiatorAuth.onMech(frame.mechanisms);
  }

  private onCommand(f: CommandFrame): void {
    const spec = admitCommand(f, this.admission);
    if (spec instanceof HubError) {
      this.answer(f.id, f.method, spec);
      this.hooks.refused?.(f.method, spec);
      return;
    }
    if (spec.name === 'auth' && this.acceptorAuth !== null) {
      this.acceptorAuth.onAuth(f);
      this.kick();
      return;
    }
    this.incoming.set(f.id, f.method);
    if (spec.name === 'shutdown') {
      // draft §14.2, part 3 row 33: the client acknowledges (ok) or answers communications.
      if (this.hooks.shutdown) this.hooks.shutdown(f.id);
      else this.respond(f.id, 'ok');
      return;
    }
    this.hooks.command(f, this.decoder.lastRaw);
  }

  /** `r` is null for a bare `ok` (`onPlainOk`), built only where a frame is needed. */
  private onResponse(r: ResponseFrame | null, id: string, method: string): void {
    const p = this.found;
    if (!this.pending.take(id, p)) {
      // Part 4 row 22: log and discard; never answer a response.
      this.note('unknown-response', `answer to unknown id ${id} discarded`, id);
      return;
    }
    const { context, internal } = p;
    if (method !== p.method)
      this.note('method-mismatch', `answer for ${method} to a ${p.method} command`, id);
    if (r?.status === 'error' && getHeader(r.headers, 'Error-Type') === undefined)
      this.note('error-without-type', 'error response without Error-Type (draft §12 MUST)', id);
    if (internal) this.initiatorAuth?.onAnswer(r ?? plainOk(id, method));
    else if (r === null && this.hooks.plainOk !== undefined) this.hooks.plainOk(id, method, context);
    else this.hooks.response(r ?? plainOk(id, method), context, false);
  }

  // --- Output --------------------------------------------------------------------------------

  /**
   * Sends a command; the answer comes to `hooks.response(answer, context)`. Throws for `auth`
   * (use `authenticate`), while our own authentication runs (draft §14.1, part 3 row 20), for
   * a known method's missing headers or payload rules (part 3 row 7), or for CR/LF/NUL injection.
   */
  sendCommand(
    method: string,
    headers: readonly Header[] = [],
    payload: Uint8Array | null = null,
    context?: C,
  ): string {
    this.mayIssue(method);
    const spec = methodSpec(method, this.protocol);
    const problem =
      spec === undefined ? null : checkCommand(spec, { headers, payload: payload ?? undefined });
    if (problem !== null) throw new HubError('malformed', problem);
    return this.issue(method, headers, payload, context, false);
  }

  /**
   * Issue 18: relays a `send` (IMTP) from the header block it arrived with (frame/raw.ts), the
   * rewritten lines spliced in; like `sendCommand` otherwise. The block passed the same method
   * checks on arrival (session-admit.ts), so they do not run again.
   */
  sendRelayed(raw: RawHeaders, rewrite: RawRewrite, payload: Uint8Array, context?: C): string {
    this.mayIssue('send');
    if (this.protocol !== 'imtp') throw new Error('send is an IMTP command');
    const n = ++this.counter;
    const id = n.toString(36);
    this.out.relayed(id, 'send', raw, rewrite, payload);
    this.pending.add(n, 'send', context, false);
    this.kick();
    return id;
  }

  private mayIssue(method: string): void {
    if (this.closedWith !== null) throw new Error('session closed');
    if (method === 'auth') throw new Error('use authenticate() to send auth');
    if (this.initiatorAuth?.busy)
      throw new Error('only auth may be sent during an authentication exchange (draft §14.1)');
    if (method === 'shutdown' && this.role !== 'acceptor')
      throw new Error('only the server sends shutdown (draft §14.2)');
  }

  /** Answers the peer's command `id` (once). An error needs Error-Type (draft §12, part 3 row 30). */
  respond(
    id: string,
    status: 'ok' | 'error',
    headers: readonly Header[] = [],
    payload: Uint8Array | null = null,
  ): void {
    if (this.closedWith !== null) return;
    const method = this.incoming.get(id);
    if (method === undefined) throw new Error(`no unanswered command with id ${id}`);
    if (status === 'error' && getHeader(headers, 'Error-Type') === undefined) {
      throw new Error('an error response needs Error-Type (draft §12)');
    }
    this.out.response(id, status, method, headers, payload);
    this.incoming.delete(id);
    this.kick();
  }

  /** Answers `id` with the wire error for `error` (replies.ts), plus `extra` headers. */
  respondError(id: string, error: unknown, extra: readonly Header[] = []): void {
    if (this.closedWith !== null) return;
    const method = this.incoming.get(id);
    if (method === undefined) throw new Error(`no unanswered command with id ${id}`);
    this.respond(id, 'error', [...errorHeaders(error, method), ...extra]);
  }

  /** Initiator: starts a SASL exchange (draft §14.1); outcome via hooks.authenticated / authFailed. */
  authenticate(mechanism: SaslClientMechanism): void {
    if (this.closedWith !== null) throw new Error('session closed');
    if (this.initiatorAuth === null) throw new Error('only the initiator authenticates (draft §14.1)');
    this.initiatorAuth.begin(mechanism);
  }

  /** Part 4 row 14: idle keepalive. */
  sendNop(): void {
    if (this.closedWith !== null) return;
    this.out.nop();
    this.kick();
  }

  /** Writes pending output as one Buffer. */
  flush(): void {
    const bytes = this.out.take();
    if (bytes !== null) this.hooks.write(bytes);
  }

  /** Ends the session from our side. */
  close(message = 'closed locally'): void {
    this.shut({ code: 'local', message });
  }

  private issue(
    method: string,
    headers: readonly Header[],
    payload: Uint8Array | null,
    context: C | undefined,
    internal: boolean,
  ): string {
    // The counter only grows, so an id is never reused (draft §10), answered or not: no lookup.
    const n = ++this.counter;
    const id = n.toString(36);
    this.out.command(id, method, headers, payload);
    this.pending.add(n, method, context, internal);
    this.kick();
    return id;
  }

  /** An answer we originate on our own (not tracked in `incoming`). */
  private answer(id: string, method: string, error: HubError): void {
    this.out.response(id, 'error', method, errorHeaders(error, method));
    this.kick();
  }

  private kick(): void {
    if (!this.inReceive && this.autoFlush) this.flush();
  }

  private note(code: NoticeCode, message: string, id?: string): void {
    this.hooks.notice?.(id === undefined ? { code, message } : { code, message, id });
  }

  private shut(reason: CloseReason): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    this.decoder.stop();
    this.flush();
    const left = this.pending.drain();
    this.incoming.clear();
    this.hooks.close(reason);
    const why = 'connection closed before the answer';
    for (const [n, p] of left)
      if (!p.internal) this.hooks.response(synthetic(n.toString(36), p.method, why), p.context, true);
  }
}
