/**
 * IRCv3 multiline (ircv3.net/specs/extensions/multiline, cap `draft/multiline=max-bytes=N
 * [,max-lines=M]`, with `batch`): a message of several lines goes as one batch,
 *
 *     @label=…;+draft/reply=… BATCH +ref draft/multiline #dev
 *     @batch=ref PRIVMSG #dev :first line
 *     @batch=ref;draft/multiline-concat PRIVMSG #dev :the rest of a line cut for the 512-byte budget
 *     BATCH -ref
 *
 * within the server's limits (client-only tags on the opening BATCH: "Client-only tags"), and a
 * batch the server delivers becomes one message (its lines joined by LF, concat lines without).
 * Outside the limits, or without the cap, the message is split into lines as before (outbound.ts).
 */
import type { IrcCaps } from './caps.js';
import { byteLength, splitLine } from './translate.js';

export const MULTILINE = 'draft/multiline';
const CONCAT = 'draft/multiline-concat';

let seq = 0;

/**
 * The raw lines of the batch for `text` to `target`, or null when one is not needed (one line) or
 * does not fit. `prefix` (relay mode `<carol> `) leads the first line only: the batch is one
 * message. `budget`: octets of text per PRIVMSG line, the prefix left out.
 */
export function multilineBatch(
  limits: IrcCaps['multiline'],
  target: string,
  prefix: string,
  text: string,
  budget: number,
): string[] | null {
  if (limits === null) return null;
  const pieces: { text: string; concat: boolean }[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') continue;
    splitLine(line, budget).forEach((t, i) => pieces.push({ text: t, concat: i > 0 }));
  }
  if (pieces.length < 2) return null;
  if (limits.maxLines !== null && pieces.length > limits.maxLines) return null;
  pieces[0] = { text: prefix + pieces[0]!.text, concat: false };
  // "max-bytes": the message's content, every line's text and the line breaks between them.
  const bytes = pieces.reduce((n, p) => n + byteLength(p.text) + (p.concat ? 0 : 1), -1);
  if (bytes > limits.maxBytes) return null;
  const ref = `ml${(++seq).toString(36)}`;
  return [
    `BATCH +${ref} ${MULTILINE} ${target}`,
    ...pieces.map((p) => `@batch=${ref}${p.concat ? `;${CONCAT}` : ''} PRIVMSG ${target} :${p.text}`),
    `BATCH -${ref}`,
  ];
}

interface Line {
  readonly message: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** The text of a delivered multiline batch: its lines joined by LF, concat lines without. */
export function joinBatch(lines: readonly Line[]): string {
  let out = '';
  lines.forEach((l, i) => {
    out += (i === 0 || l.tags?.[CONCAT] !== undefined ? '' : '\n') + l.message;
  });
  return out;
}

/** `@tags :source BATCH +ref draft/multiline target`: the reference and the opener's tags. */
export function multilineOpener(line: string): { ref: string; tags: Record<string, string> } | null {
  const m = /^@(\S+) (?::\S+ )?BATCH \+(\S+) draft\/multiline /.exec(line);
  if (m === null) return null;
  const tags: Record<string, string> = {};
  for (const kv of m[1]!.split(';')) {
    const i = kv.indexOf('=');
    tags[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : unescapeTagValue(kv.slice(i + 1));
  }
  return { ref: m[2]!, tags };
}

/** message-tags "Escaping values", reversed: `\:` `\s` `\\` `\r` `\n`; a lone `\` is dropped. */
export function unescapeTagValue(v: string): string {
  return v.replace(/\\(.?)/g, (_, c: string) =>
    c === ':' ? ';' : c === 's' ? ' ' : c === 'r' ? '\r' : c === 'n' ? '\n' : c,
  );
}
