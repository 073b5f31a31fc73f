/**
 * An edit on IRC (issue 17; docs/adapters/irc.md "Edits, deletions and reactions"): IRC has no
 * edit command (no IRCv3 spec either), so an edit is one correction line, the convention IRC
 * users write by hand (the project's message-semantics reference §1.2, plain IRC):
 *
 * - nothing when the visible text did not change;
 * - only the appended text when the edit only appends;
 * - `s/old/new/` when one contiguous change of whole words is at most `sedShare` of the line
 *   (and its old words are found first where they are, so the sed reads unambiguously);
 * - else `* new text`, the `Msg.Replaces` fallback (docs/message-semantics.md).
 *
 * Pure. Positions are code points, so a change never cuts a character in two.
 */
export type EditLine =
  | { readonly kind: 'same' }
  | { readonly kind: 'line'; readonly form: 'sed' | 'star' | 'append'; readonly text: string };

const SPACE = /\s/;

export function editLine(old: string | undefined, next: string, sedShare = 0.4): EditLine {
  const star: EditLine = { kind: 'line', form: 'star', text: `* ${next}` };
  if (old === undefined) return star;
  if (old === next) return { kind: 'same' };
  if (old !== '' && next.startsWith(old)) {
    const added = next.slice(old.length).trim();
    return added === '' ? { kind: 'same' } : { kind: 'line', form: 'append', text: added };
  }
  if (/[\r\n]/.test(old + next)) return star;
  const a = Array.from(old);
  const b = Array.from(next);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  // Whole words: `s/teh/the/` rather than `s/eh/he/`.
  while (p > 0 && !SPACE.test(b[p - 1]!)) p--;
  while (s > 0 && !SPACE.test(b[b.length - s]!)) s--;
  const oldMid = a.slice(p, a.length - s).join('');
  const newMid = b.slice(p, b.length - s).join('');
  if (oldMid.trim() === '') return star;
  const changed = Math.max(a.length - s - p, b.length - s - p);
  if (changed > sedShare * Math.max(a.length, b.length)) return star;
  // sed replaces the first match: the old words must be found first where they were changed.
  if (old.indexOf(oldMid) !== a.slice(0, p).join('').length) return star;
  const esc = (t: string) => t.replace(/[\\/]/g, (c) => `\\${c}`);
  return { kind: 'line', form: 'sed', text: `s/${esc(oldMid)}/${esc(newMid)}/` };
}
