/**
 * Counts by a bounded set of labels, for the operations endpoint's metrics (docs/operations.md):
 * plain integers kept where the event happens and read when Prometheus scrapes, so the message
 * path builds no label strings and touches no metrics library (issue 14). A label outside the
 * known set counts as `other`, so a hostile peer inventing methods or error types cannot grow
 * the series without bound.
 */
import { ERROR_TYPES } from '../errors.js';
import { METHODS } from './methods.js';
import type { Answer } from './answer.js';

export const OTHER = 'other';

export class Tally {
  private readonly counts = new Map<string, { n: number }>();

  constructor(labels: Iterable<string>) {
    for (const l of labels) this.counts.set(l, { n: 0 });
    this.counts.set(OTHER, { n: 0 });
  }

  /** One more of `label` (or of `other` when it is not a known label). */
  count(label: string): void {
    (this.counts.get(label) ?? this.counts.get(OTHER)!).n++;
  }

  get(label: string): number {
    return this.counts.get(label)?.n ?? 0;
  }

  /** Every label with a non-zero count. */
  *entries(): IterableIterator<[string, number]> {
    for (const [label, c] of this.counts) if (c.n > 0) yield [label, c.n];
  }
}

/** Every method of draft §15/§16 (and the common ones), for counting commands. */
export function methodTally(): Tally {
  return new Tally(METHODS.keys());
}

/** ok, unreliable (ok with `Unreliable`, draft §16.2) and each Error-Type of draft §12. */
export const ANSWER_LABELS: readonly string[] = ['ok', 'unreliable', ...ERROR_TYPES];

/** Answers by kind: ok, unreliable or the error type. */
export class AnswerTally extends Tally {
  constructor() {
    super(ANSWER_LABELS);
  }

  /** Counts one answer: a header scan of a few headers, no allocation. */
  answer(a: Answer): void {
    const headers = a.headers;
    if (a.status === 'ok') {
      for (let i = 0; i < headers.length; i++)
        if (headers[i]![0] === 'Unreliable') {
          this.count('unreliable');
          return;
        }
      this.count('ok');
      return;
    }
    for (let i = 0; i < headers.length; i++)
      if (headers[i]![0] === 'Error-Type') {
        this.count(headers[i]![1].trim());
        return;
      }
    this.count('communications');
  }
}
