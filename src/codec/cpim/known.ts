/**
 * What the builder of a `message/cpim` payload knows about it, kept with the payload object so a
 * reader in the same process (an adapter delivering a message another adapter built) need not
 * parse the octets again (design.md part 11: no parsing of `message/cpim` on the relay path).
 *
 * Keyed weakly by the payload object, which the router hands on by reference and never changes
 * (cpim.md row 34); a copy of the octets has no facts and is parsed as before. A builder records
 * facts only when they are exactly what `parseCpim(payload, { startsWith: 'cpim-headers', mode:
 * 'lenient', role: 'endpoint' })` would report: an accepted message whose From URI, DateTime text
 * and encapsulated Content-Type are these, and whose body is `text` in UTF-8.
 */
export interface CpimFacts {
  /** `semantics.from.uri`. */
  readonly from: string;
  /** `semantics.datetime`. */
  readonly dateTime: string;
  /** The encapsulated entity's Content-Type value. */
  readonly contentType: string;
  /** The body, decoded from UTF-8. */
  readonly text: string;
}

const facts = new WeakMap<Uint8Array, CpimFacts>();

export function recordCpimFacts(payload: Uint8Array, f: CpimFacts): void {
  facts.set(payload, f);
}

/** The facts recorded for this very payload object, if any. */
export function cpimFacts(payload: Uint8Array): CpimFacts | undefined {
  return facts.get(payload);
}
