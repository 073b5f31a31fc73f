/**
 * The plain-text fallbacks of the relations (issue 17; docs/message-semantics.md):
 * the body a receiver that ignores the `Msg` namespace shows, with the `Msg.Fallback` ranges that
 * a receiver that understands it removes (relations.ts `stripFallback`). Positions are Unicode
 * code points of the text body, `end` exclusive (the XEP-0428 model). Pure.
 */
import type { FallbackRange } from './relations.js';

/** spec 2.3: a reply quotes the first 80 characters of its parent. */
export const QUOTE_CHARS = 80;

export interface FallbackBody {
  /** The text body to send. */
  readonly body: string;
  /** The ranges of `body` that are fallback only (Msg.Fallback). */
  readonly fallback: readonly FallbackRange[];
}

const length = (s: string): number => [...s].length;

/** One line, at most `max` code points, `…` when cut (line breaks become spaces). */
export function quoteSnippet(text: string, max: number = QUOTE_CHARS): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const cps = [...one];
  return cps.length <= max ? one : `${cps.slice(0, max).join('')}…`;
}

/**
 * A reply: `> nick: first 80 chars of parent…` + LF + the text, the quote line (with its LF) the
 * fallback; when the parent's text is unknown, `nick: ` + the text, the prefix the fallback.
 */
export function replyFallback(
  parentNick: string,
  parentText: string | undefined,
  text: string,
): FallbackBody {
  const head =
    parentText === undefined ? `${parentNick}: ` : `> ${parentNick}: ${quoteSnippet(parentText)}\n`;
  return { body: head + text, fallback: [{ start: 0, end: length(head) }] };
}

/** An edit: `* ` + the full new text, the `* ` the fallback. */
export function editFallback(text: string): FallbackBody {
  return { body: `* ${text}`, fallback: [{ start: 0, end: 2 }] };
}

/** A retraction: `(nick deleted a message)`, all of it fallback. */
export function retractionFallback(nick: string): FallbackBody {
  return { body: `(${nick} deleted a message)`, fallback: [{ start: 0, end: null }] };
}

/** A reaction: `nick reacted 👍 to othernick: "snippet"` (or `… reacted 👍` alone), all fallback. */
export function reactionFallback(
  nick: string,
  key: string,
  target?: { readonly nick: string; readonly text?: string },
): FallbackBody {
  let body = `${nick} reacted ${key}`;
  if (target !== undefined)
    body +=
      target.text === undefined ? ` to ${target.nick}` : ` to ${target.nick}: "${quoteSnippet(target.text)}"`;
  return { body, fallback: [{ start: 0, end: null }] };
}
