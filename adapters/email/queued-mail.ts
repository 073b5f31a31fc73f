/**
 * One entry of the mail queue kept in the store (mail-queue.ts): the built message and its
 * envelope, and what a report of its failure needs (who sent it, to which inbox, under which
 * Message-ID). Stored as JSON with the message in base64; pure.
 */
import type { RawMail } from './outbox.js';

export interface QueuedMail extends RawMail {
  /** The gateway's message id: the queue's key, and `Report-For` of a report. */
  readonly id: string;
  /** The IM author to report a failure to (Orig-Sender, else Sender); absent for a bounce. */
  readonly reportTo?: string;
  /** The Inbox of the IM send (`Orig-Inbox` of a report). */
  readonly inbox: string;
}

interface Stored {
  readonly id: string;
  readonly raw: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly messageId: string;
  readonly reportTo?: string;
  readonly inbox: string;
}

export function encodeQueuedMail(m: QueuedMail): Uint8Array {
  const s: Stored = {
    id: m.id,
    raw: m.raw.toString('base64'),
    from: m.from,
    to: m.to,
    messageId: m.messageId,
    ...(m.reportTo === undefined ? {} : { reportTo: m.reportTo }),
    inbox: m.inbox,
  };
  return new TextEncoder().encode(JSON.stringify(s));
}

/** Throws on an entry that is not one (a corrupt row is dropped by the caller, with a warning). */
export function decodeQueuedMail(data: Uint8Array): QueuedMail {
  const s = JSON.parse(new TextDecoder().decode(data)) as Stored;
  if (typeof s.raw !== 'string' || !Array.isArray(s.to) || typeof s.id !== 'string')
    throw new Error('not a queued mail');
  return {
    id: s.id,
    raw: Buffer.from(s.raw, 'base64'),
    from: s.from,
    to: s.to,
    messageId: s.messageId,
    ...(s.reportTo === undefined ? {} : { reportTo: s.reportTo }),
    inbox: s.inbox,
  };
}
