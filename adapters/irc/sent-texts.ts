/**
 * What the gateway wrote on IRC, by gateway Message-ID (issue 17): the text of each message it
 * sent (the base of an edit's correction line, edit-line.ts) and, for each edit, the original it
 * edited. `Msg.Replaces` names the ORIGINAL message even for a second edit
 * (docs/message-semantics.md); a sender that names an earlier edit instead is found through
 * that edit's entry, which names the original directly: an edit chain resolves in one lookup,
 * never by walking it.
 *
 * Kept in the store's mappings (namespace `irc:<id>:text`, KeptMap: bounded by `edits.maxKept`,
 * least recently used first; each text cut to `edits.maxKeptChars`), so an edit after a restart
 * still has its original. Without a store, in memory.
 */
import { KeptMap, type Logger, type Store } from '../../src/index.js';

export interface SentOriginal {
  /** The gateway id of the original message. */
  readonly root: string;
  /** Its visible text as IRC last saw it (after earlier edits); undefined when not kept. */
  readonly text: string | undefined;
}

export class SentTexts {
  private readonly map: KeptMap;

  constructor(
    store: Store | null,
    adapterId: string,
    private readonly o: { maxKept: number; maxKeptChars: number; log?: Logger },
  ) {
    // One row per message: `t:<text>` for a message sent, `r:<root id>` for an edit of one.
    this.map = new KeptMap(store, `irc:${adapterId}:text`, { max: o.maxKept, log: o.log });
  }

  load(): Promise<void> {
    return this.map.load();
  }

  /** The original that `id` (an original, or an edit of one) names, with its latest text. */
  original(id: string): SentOriginal {
    const v = this.map.get(id);
    if (v?.startsWith('r:')) {
      const root = v.slice(2);
      const t = this.map.get(root);
      return { root, text: t?.startsWith('t:') ? t.slice(2) : undefined };
    }
    return { root: id, text: v?.startsWith('t:') ? v.slice(2) : undefined };
  }

  /** The message `id` went out with `text` (an original, or the new text of original `id`). */
  sent(id: string, text: string): void {
    // UTF-16 units ≥ code points: most texts are short enough without counting.
    const kept =
      text.length <= this.o.maxKeptChars ? text : Array.from(text).slice(0, this.o.maxKeptChars).join('');
    void this.map.set(id, `t:${kept}`);
  }

  /** The edit `editId` of original `root` went out with `text`. */
  edited(editId: string, root: string, text: string): void {
    this.sent(root, text);
    if (editId !== root) void this.map.set(editId, `r:${root}`);
  }
}
