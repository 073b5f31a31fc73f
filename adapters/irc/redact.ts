/**
 * Deletions on IRC (issue 17): IRCv3 message-redaction (ircv3.net/specs/extensions/
 * message-redaction, cap `draft/message-redaction`): `REDACT <target> <msgid> [:reason]` both
 * ways, and `FAIL REDACT <code> <target> …` (standard-replies) when the server refuses ours.
 * Without the cap, or for a message IRC never gave a msgid: the send's fallback text when it has
 * one, else nothing (`ok` + `Irc-Clipped`) or, by config (`deletions: text`), one line
 * `* nick deleted a message`. Pure.
 */
import { errorAnswer, type Answer, type MessageIds } from '../../src/index.js';
import type { IrcCaps } from './caps.js';
import type { IrcRelations } from './relations.js';

export type DeletionPlan =
  | { readonly kind: 'redact'; readonly msgid: string }
  /** A line in the gateway's voice (no `<author>` prefix). */
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'drop'; readonly why: string }
  /** The send's own (fallback) text goes out as a message. */
  | { readonly kind: 'none' };

export function deletionPlan(
  r: IrcRelations & { readonly retracts: string },
  caps: IrcCaps,
  ids: MessageIds | undefined,
  policy: 'drop' | 'text',
  author: string,
): DeletionPlan {
  const msgid = ids?.networkId(r.retracts);
  if (caps.redaction && msgid !== undefined) return { kind: 'redact', msgid };
  if (r.shown === true) return { kind: 'none' };
  if (policy === 'text') return { kind: 'text', text: `* ${author} deleted a message` };
  return {
    kind: 'drop',
    why: !caps.redaction
      ? 'IRC deletes a line only by REDACT, which this server does not offer (draft/message-redaction)'
      : 'the deleted message has no IRC msgid',
  };
}

/** Splits `[@tags] [:source] COMMAND params… [:trailing]` into its parts. */
function split(line: string): { source: string; command: string; params: string[] } | null {
  let rest = line.replace(/\r?\n$/, '');
  if (rest.startsWith('@')) rest = rest.slice(rest.indexOf(' ') + 1);
  let source = '';
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return null;
    source = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  const t = rest.indexOf(' :');
  const head = (t < 0 ? rest : rest.slice(0, t)).split(' ').filter(Boolean);
  const params = t < 0 ? head.slice(1) : [...head.slice(1), rest.slice(t + 2)];
  return head[0] === undefined ? null : { source, command: head[0].toUpperCase(), params };
}

/** message-redaction "Errors": what a `FAIL REDACT` means for the send that caused it. */
const FAIL_TYPES: Readonly<Record<string, 'target-not-found' | 'target-authorization'>> = {
  INVALID_TARGET: 'target-not-found',
  UNKNOWN_MSGID: 'target-not-found',
  REDACT_FORBIDDEN: 'target-authorization',
  REDACT_WINDOW_EXPIRED: 'target-authorization',
};

/** `FAIL REDACT <code> <target> [<msgid>] :<description>`: the target and the answer to give. */
export function redactFailure(line: string): { target: string; answer: Answer } | null {
  const m = split(line);
  if (m === null || m.command !== 'FAIL' || m.params[0]?.toUpperCase() !== 'REDACT') return null;
  const code = m.params[1] ?? '';
  const target = m.params[2];
  if (target === undefined) return null;
  const description = m.params.length > 3 ? m.params[m.params.length - 1] : undefined;
  return {
    target,
    answer: errorAnswer(
      FAIL_TYPES[code] ?? 'target-authorization',
      `the IRC server refused the deletion (${code}${description ? `: ${description}` : ''})`,
    ),
  };
}

/** An inbound `:nick!u@h REDACT <target> <msgid> [:reason]`. */
export function redactOf(line: string): { nick: string; target: string; msgid: string } | null {
  const m = split(line);
  if (m === null || m.command !== 'REDACT' || m.params.length < 2) return null;
  const nick = m.source.split('!')[0] ?? '';
  if (nick === '') return null;
  return { nick, target: m.params[0]!, msgid: m.params[1]! };
}
