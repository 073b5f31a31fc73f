/**
 * Which commands a session hands to the application: the checks an incoming command passes first
 * (draft-hudson-impp-transfer-proposal-01 §10, §14; docs/hub-protocol.md part 3 rows 5, 13-14, 20,
 * part 4 rows 10, 28). Pure: the session (session.ts) answers a refusal and keeps the state.
 */
import { HubError } from '../errors.js';
import { checkCommand, methodSpec, type MethodSpec, type Protocol } from '../protocol/index.js';
import type { CommandFrame } from './frame/index.js';
import type { AuthAcceptor } from './session-auth.js';
import type { Role } from './session-types.js';

export interface AdmitContext {
  readonly protocol: Protocol;
  readonly role: Role;
  /** The peer's commands not answered yet: id → method. */
  readonly incoming: ReadonlyMap<string, string>;
  /** Acceptor: its side of SASL (what admission reads of it); null on an initiator. */
  readonly auth: Pick<AuthAcceptor, 'inExchange' | 'identity'> | null;
  /** Part 4 row 28: may `method` run before authentication? */
  readonly policy: (method: string) => boolean;
}

/**
 * The command's method, or the error that refuses it. `auth` on an acceptor is admitted as soon
 * as its syntax is right: the SASL exchange decides the rest (session-auth.ts).
 */
export function admitCommand(f: CommandFrame, c: AdmitContext): MethodSpec | HubError {
  // draft §10: a requester must not reuse an id before its answer (part 3 row 5).
  if (c.incoming.has(f.id))
    return new HubError('malformed', `id ${f.id} is already in use by an unanswered command`);
  const spec = methodSpec(f.method, c.protocol);
  // draft §10, part 3 rows 13-14: unknown (or wrongly cased) method ⇒ unknown-method.
  // A command sent in the wrong direction is treated the same way: `auth` to the initiator
  // (§14.1: only the initiator sends it; the initiator implements no SASL server, part 3 row 16)
  // and `shutdown` to the acceptor (§14.2: a server that gets it SHOULD answer unknown-method).
  if (
    spec === undefined ||
    (spec.name === 'auth' && c.role === 'initiator') ||
    (spec.name === 'shutdown' && c.role === 'acceptor')
  )
    return new HubError('unknown-method', `unknown method ${f.method}`);
  const problem = checkCommand(spec, f);
  if (problem !== null) return new HubError('malformed', problem);
  const auth = c.auth;
  if (auth === null || spec.name === 'auth') return spec;
  // draft §14.1, part 3 row 20: the initiator sends nothing but auth during an exchange.
  if (auth.inExchange)
    return new HubError('malformed', 'only auth is allowed during an authentication exchange');
  // Part 4 rows 10, 28: "authenticate first" is source-authorization.
  if (auth.identity === null && !c.policy(spec.name))
    return new HubError('source-authorization', 'authenticate first');
  return spec;
}
