/**
 * Messages sent to XMPP users that wait for their answer (XEP-0184 §5): a
 * `<received id>` receipt settles the IMTP `send` as `ok`; an error stanza with the same id
 * (RFC 6120 §8.3: errors carry the id of the stanza they answer) settles it with that error;
 * nothing within `waitMs` settles it `ok` + `Unreliable` (the client may not do receipts).
 * Bounded: past `maxPending` waiting messages, a new one is answered at once as unconfirmed.
 */
export type ReceiptOutcome =
  | { readonly kind: 'received' }
  | { readonly kind: 'error'; readonly condition: string; readonly text: string }
  | { readonly kind: 'timeout' };

interface Waiting {
  readonly settle: (o: ReceiptOutcome) => void;
  readonly timer: NodeJS.Timeout;
  /** The bare JID the message went to: only it may confirm or refuse it. */
  readonly peer: string;
}

export class PendingReceipts {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly waitMs: number,
    private readonly maxPending: number,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Whether a new message may wait (else: answer it at once, unconfirmed). */
  hasRoom(): boolean {
    return this.waitMs > 0 && this.waiting.size < this.maxPending;
  }

  /** Whether a send waits under `id` now (a second one must take another id). */
  isWaiting(id: string): boolean {
    return this.waiting.has(id);
  }

  /** The outcome for the message `id` sent to `peer` (a bare JID). */
  wait(id: string, peer: string): Promise<ReceiptOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, undefined, { kind: 'timeout' }), this.waitMs);
      this.waiting.set(id, { settle: resolve, timer, peer });
    });
  }

  /** Settles `id` when `peer` is who it was sent to; false when nothing was waiting for it. */
  settle(id: string, peer: string | undefined, outcome: ReceiptOutcome): boolean {
    const w = this.waiting.get(id);
    if (w === undefined || (peer !== undefined && peer !== w.peer)) return false;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    w.settle(outcome);
    return true;
  }

  /** Every waiting message settles now (the adapter stops or the link dropped). */
  clear(outcome: ReceiptOutcome): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, undefined, outcome);
  }
}
