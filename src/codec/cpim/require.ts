/**
 * Mandatory-to-recognise features (RFC 3862 3.5, 4.7): a receiver that does not implement a
 * name listed in Require MUST NOT treat the message as understood.
 */
import {
  CORE_HEADER_NAMES,
  CORE_NAMESPACE,
  type CpimFeature,
  type CpimMessage,
  type CpimRequirement,
} from './types.js';

/**
 * The required features of `message` that `understood` does not cover. The core headers of
 * RFC 3862 4 count as understood (this codec implements them). A requirement whose prefix was
 * never declared (lenient parse) has no namespace and can never be met.
 */
export function unmetRequirements(
  message: CpimMessage,
  understood: Iterable<CpimFeature>,
): CpimRequirement[] {
  const known = new Set<string>();
  for (const f of understood) known.add(`${f.namespace}\u0000${f.name}`);
  return message.semantics.required.filter((r) => {
    if (r.namespace === null) return true;
    if (r.namespace === CORE_NAMESPACE && CORE_HEADER_NAMES.has(r.name)) return false;
    return !known.has(`${r.namespace}\u0000${r.name}`);
  });
}

/** The sentence a receiver gives when it fails a message for unmet requirements. */
export function requirementFailureReason(unmet: readonly CpimRequirement[]): string {
  const names = unmet.map((r) =>
    r.namespace === null ? `${r.prefix}.${r.name} (undeclared prefix)` : `{${r.namespace}}${r.name}`,
  );
  return `Require names ${names.join(', ')}, which this receiver does not implement (RFC 3862 3.5)`;
}
