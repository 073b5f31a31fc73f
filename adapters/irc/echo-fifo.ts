/**
 * Own-line msgids where the server has echo-message but no labeled-response
 * (IRCv3 echo-message; docs/message-semantics.md): echoes are matched in order per target. The server echoes our lines in the order it processed them (RFC 1459 2.3:
 * a client's lines in order), so each target's echoes come in the order we wrote the lines. A
 * line the server refused (404 and the like) never comes back, so an echo is matched by its text
 * to the oldest waiting line with that text, and the lines before it are dropped. Bounded: past
 * `max` waiting lines everything waiting is forgotten (a few own lines then go unmapped).
 */

interface Waiting {
  readonly text: string;
  /** The send's gateway id on its first line; null on the other lines of a split message. */
  readonly gatewayId: string | null;
}

export class EchoFifo {
  private readonly byTarget = new Map<string, Waiting[]>();
  private count = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  /** The lines of one send to `target` (folded), as the echo will show their text. */
  expect(target: string, texts: readonly string[], gatewayId: string): void {
    if (this.count + texts.length > this.max) {
      this.byTarget.clear();
      this.count = 0;
    }
    let q = this.byTarget.get(target);
    if (q === undefined) this.byTarget.set(target, (q = []));
    texts.forEach((text, i) => q.push({ text, gatewayId: i === 0 ? gatewayId : null }));
    this.count += texts.length;
  }

  /** An echo of our line to `target` with `text`: the gateway id of the send it began, or null. */
  take(target: string, text: string): string | null {
    const q = this.byTarget.get(target);
    const i = q?.findIndex((w) => w.text === text) ?? -1;
    if (q === undefined || i < 0) return null;
    const [hit] = q.splice(0, i + 1).slice(-1);
    this.count -= i + 1;
    if (q.length === 0) this.byTarget.delete(target);
    return hit!.gatewayId;
  }
}
