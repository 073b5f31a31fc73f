/**
 * Merging the answers of a fan-out (draft §16.2, part 3 row 53): any ok ⇒ ok; if any ok carried
 * a payload (an auto-reply), one payload is returned; all errors ⇒ any one error is reported.
 *
 * Choices where §16.2 leaves them free:
 * - the ok chosen is the first one *without* `Unreliable` (some listener gave an end receipt, so
 *   the delivery as a whole is reliable), else the first ok, whose `Unreliable` stays intact
 *   (row 52);
 * - the payload kept is the chosen ok's own, else the first other ok's, moved over with its
 *   Content-Type;
 * - the error reported is the first in delivery order (each already carries its Error-Originator).
 */
import { getHeader, removeHeader, type Answer, type Header } from '../protocol/index.js';

export function mergeAnswers(answers: readonly Answer[]): Answer {
  let chosen: Answer | undefined;
  let firstOk: Answer | undefined;
  let withPayload: Answer | undefined;
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!;
    if (a.status !== 'ok') continue;
    if (firstOk === undefined) firstOk = a;
    if (withPayload === undefined && a.payload !== undefined) withPayload = a;
    if (chosen === undefined && getHeader(a.headers, 'Unreliable') === undefined) chosen = a;
  }
  if (chosen === undefined) chosen = firstOk;
  if (chosen === undefined) return answers[0]!;
  if (chosen.payload !== undefined || withPayload === undefined) return chosen;
  const headers: Header[] = removeHeader(chosen.headers, 'Content-Type');
  const ct = getHeader(withPayload.headers, 'Content-Type');
  if (ct !== undefined) headers.push(['Content-Type', ct]);
  return { status: 'ok', headers, payload: withPayload.payload! };
}
