/**
 * How a rate refusal is told apart from other `quota` answers. The draft has one error type for
 * "would exceed resource limits for the source" (§12, docs/hub-protocol.md part 3: `quota`), whether
 * the limit is size or rate; an adapter whose protocol distinguishes them (SMTP: 552 for size is
 * permanent, 450 4.7.1 for rate is "try later", RFC 5321 4.2.1) reads the Error-Description,
 * which the router starts with this text for rate refusals.
 */

export const RATE_LIMITED = 'sender rate limit';

/** Structural, so src/policy needs nothing from the router: any answer shape with headers fits. */
export function isRateLimited(answer: {
  readonly status: string;
  readonly headers: readonly (readonly [string, string])[];
}): boolean {
  if (answer.status !== 'error') return false;
  let type: string | undefined;
  let why: string | undefined;
  for (const [name, value] of answer.headers) {
    if (name === 'Error-Type' && type === undefined) type = value;
    else if (name === 'Error-Description' && why === undefined) why = value;
  }
  return type === 'quota' && why !== undefined && why.startsWith(RATE_LIMITED);
}
