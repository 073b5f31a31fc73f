/**
 * The web page's formatting (issue 20, "one rendering path"): the runs of the core's formatting
 * model (src/mime/format.ts) as the `format` of a message frame, so the page shows an IRC line's
 * bold and colours, or a mail's HTML emphasis, without ever receiving HTML (the page builds
 * elements from the runs with textContent only). Pure.
 */
import { normalizeLineEnds, type MimeAttachment, type RenderedContent } from '../../src/index.js';
import type { FormatRun } from './protocol-history.js';

export type { FormatRun };

export interface Shown {
  readonly text: string;
  readonly format?: readonly FormatRun[];
  /** Issue 17: the parts that are not text (attachments.ts gives them to the page). */
  readonly parts?: readonly MimeAttachment[];
}

/** The model's runs for the page, the attachment lines after them as plain text. */
export function formatOf(r: RenderedContent): readonly FormatRun[] | undefined {
  if (r.runs === undefined) return undefined;
  const runs: FormatRun[] = r.runs.map((x) => {
    const s = x.style;
    return {
      text: normalizeLineEnds(x.text),
      ...(s.bold ? { bold: true } : {}),
      ...(s.italic ? { italic: true } : {}),
      ...(s.underline ? { underline: true } : {}),
      ...(s.strike ? { strike: true } : {}),
      ...(s.mono ? { mono: true } : {}),
      ...(s.fg ? { fg: s.fg } : {}),
      ...(s.bg ? { bg: s.bg } : {}),
    };
  });
  const rest = r.text.slice(runs.reduce((n, x) => n + x.text.length, 0));
  if (rest !== '') runs.push({ text: rest });
  // The runs say the same text as `text` (the page falls back to it otherwise).
  return runs.map((x) => x.text).join('') === r.text ? runs : undefined;
}
