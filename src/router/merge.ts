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
 * - the error reported is the first in delivery order (each already carries its Error-Originator);
 * - every `<Network>-Clipped` header of any ok is kept (withClipped).
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
  chosen = withClipped(chosen, answers);
  if (chosen.payload !== undefined || withPayload === undefined) return chosen;
  const headers: Header[] = removeHeader(chosen.headers, 'Content-Type');
  const ct = getHeader(withPayload.headers, 'Content-Type');
  if (ct !== undefined) headers.push(['Content-Type', ct]);
  return { status: 'ok', headers, payload: withPayload.payload! };
}

/**
 * Issue 20 ("limits tell the truth"): what a network did not take whole is said in an extension
 * header `<Network>-Clipped` on that member's ok (docs/adapters/irc.md `Irc-Clipped`). The
 * merged answer keeps every such header of every ok, not only the chosen one's, so the sender
 * hears of it whichever member's ok was chosen. Unchanged (the same object) when there is none.
 */
function withClipped(chosen: Answer, answers: readonly Answer[]): Answer {
  let extra: Header[] | undefined;
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!;
    if (a === chosen || a.status !== 'ok') continue;
    for (let k = 0; k < a.headers.length; k++) {
      const h = a.headers[k]!;
      if (h[0].length > 8 && h[0].slice(-8).toLowerCase() === '-clipped') (extra ??= []).push(h);
    }
  }
  return extra === undefined ? chosen : { ...chosen, headers: [...chosen.headers, ...extra] };
}
