/**
 * What a hub listener counts for the operations endpoint (docs/operations.md): commands received
 * by method and answers sent by kind (ok, unreliable, Error-Type). Plain integers, counted by
 * the connection where the command arrives and where its answer is written (no extra promise
 * per command), read when scraped (issue 14). No I/O.
 */
import { HubError } from '../errors.js';
import { AnswerTally, methodTally, type Answer, type Tally } from '../protocol/index.js';

export class HubStats {
  readonly commands: Tally = methodTally();
  readonly answers = new AnswerTally();

  command(method: string): void {
    this.commands.count(method);
  }

  answer(a: Answer): void {
    this.answers.answer(a);
  }

  /** An answer made from a thrown error (replies.ts: a HubError's type, else `resources`). */
  failure(e: unknown): void {
    this.answers.count(e instanceof HubError ? e.type : 'resources');
  }
}
