/**
 * Astrength, the authentication strength of a path (draft-hudson-impp-transfer-proposal-01
 * §11.4; docs/hub-protocol.md part 3 rows 28-29, part 4 rows 11-12). No I/O.
 */
import type { Headers } from './headers.js';

/** The order is weakest first. */
export type Strength = 'none' | 'weak' | 'medium' | 'strong';
export const STRENGTHS: readonly Strength[] = ['none', 'weak', 'medium', 'strong'];
const STRENGTH_RANK: Record<Strength, number> = { none: 0, weak: 1, medium: 2, strong: 3 };

export function strengthRank(s: Strength): number {
  return STRENGTH_RANK[s];
}

export function weaker(a: Strength, b: Strength): Strength {
  return STRENGTH_RANK[a] <= STRENGTH_RANK[b] ? a : b;
}

/**
 * Parses an Astrength value; null when invalid. Accepts other letter cases (part 4 row 11: the
 * draft's own example says "Medium"); always emitted lowercase. The value is taken as given:
 * wire values arrive trimmed, callers with other sources trim first.
 */
export function parseStrength(value: string): Strength | null {
  const v = value.toLowerCase();
  return v === 'strong' || v === 'medium' || v === 'weak' || v === 'none' ? v : null;
}

/**
 * The Astrength a message arrived with: the header's value, `strong` when absent (draft §11.4:
 * the sender is the originator), null when present but invalid. Matches the header name
 * case-insensitively (part 4 row 11: the draft's example spells it "AStrength").
 */
export function receivedStrength(headers: Headers): Strength | null {
  for (const [name, value] of headers) {
    if (name === 'Astrength' || name.toLowerCase() === 'astrength') return parseStrength(value);
  }
  return 'strong';
}

/** draft §11.4, part 3 row 28: a relay sends the weaker of the link's strength and the received one. */
export function relayedStrength(link: Strength, headers: Headers): Strength {
  const got = receivedStrength(headers);
  return got === null ? 'none' : weaker(link, got);
}
