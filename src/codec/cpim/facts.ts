/**
 * What the builder of a `message/cpim` payload knows about it, carried on the payload value itself
 * so a reader in the same process (an adapter delivering a message another adapter built) need not
 * parse the octets again (docs/architecture.md part 11: no parsing of `message/cpim` on the relay path).
 *
 * The router hands a payload on by reference and never changes it (docs/cpim.md row 34), so the field
 * travels with the octets; a copy of the octets has no facts and is parsed as before. No global
 * table: the facts live and die with the payload object. A builder attaches facts only when they
 * are exactly what `parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role:
 * 'endpoint' })` would report: an accepted message whose From URI, DateTime text and encapsulated
 * Content-Type are these, and whose body is `text` in UTF-8.
 */
import type { Relations } from './relations.js';

export interface CpimFacts {
  /** `semantics.from.uri`. */
  readonly from: string;
  /** `semantics.datetime`. */
  readonly dateTime: string;
  /** The encapsulated entity's Content-Type value. */
  readonly contentType: string;
  /** The body, decoded from UTF-8. */
  readonly text: string;
  /**
   * Issue 17: what `readRelations` (relations.ts) reads from its `Msg` headers; absent means none.
   * A builder that writes `Msg` headers and attaches facts must set it.
   */
  readonly relations?: Relations;
}

/** `message/cpim` octets, with the facts its builder knows when it attached them. */
export type CpimPayload = Uint8Array & { readonly cpimFacts?: CpimFacts };

/**
 * Attaches `facts` to `payload` (the same object, returned typed). The field is non-enumerable, so
 * the octets compare, copy and print exactly as without it.
 */
export function withCpimFacts(payload: Uint8Array, facts: CpimFacts): CpimPayload {
  return Object.defineProperty(payload, 'cpimFacts', { value: facts }) as CpimPayload;
}
