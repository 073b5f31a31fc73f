/**
 * SMTP replies for IMTP answers (inbound) and IMTP answers for SMTP outcomes (outbound), so a
 * sending server retries what was not delivered and gives up on what never will be. Pure.
 * Reply codes: RFC 5321 4.2; enhanced status codes: RFC 3463.
 */
import { errorAnswer, getHeader, isRateLimited, okAnswer } from '../../src/index.js';
import type { Answer } from '../../src/index.js';

export interface SmtpReply {
  readonly code: number;
  /** RFC 3463 enhanced status code, e.g. "5.1.1". */
  readonly status: string;
  readonly text: string;
}

export function reply(code: number, status: string, text: string): SmtpReply {
  return { code, status, text };
}

/**
 * The reply that ends DATA for an IMTP answer. 2xx: delivered (or handed on); 4xx: the client
 * keeps the mail and retries (RFC 5321 4.2.1: transient); 5xx: it bounces it (permanent).
 */
export function replyForAnswer(answer: Answer): SmtpReply {
  if (answer.status === 'ok') return reply(250, '2.0.0', 'delivered to the chat');
  const type = getHeader(answer.headers, 'Error-Type') ?? 'communications';
  const why = getHeader(answer.headers, 'Error-Description');
  const text = why === undefined || why === '' ? type : `${type}: ${why}`;
  switch (type) {
    case 'target-not-found':
      return reply(550, '5.1.1', text);
    case 'no-listeners':
      // Nobody is listening now; the IM network keeps no mail, so the sender's queue does.
      return reply(450, '4.2.1', text);
    case 'target-authorization':
    case 'source-authorization':
      return reply(550, '5.7.1', text);
    case 'quota':
      // The core's per-sender rate (src/policy/rate-answer.ts) is transient: 450 4.7.1 makes a
      // well-behaved server slow down and retry (RFC 5321 4.2.1); a size quota is permanent.
      return isRateLimited(answer) ? reply(450, '4.7.1', text) : reply(552, '5.3.4', text);
    case 'loop':
      return reply(554, '5.4.6', text);
    case 'malformed':
      return reply(554, '5.6.0', text);
    case 'communications':
    case 'resources':
    default:
      return reply(451, '4.3.0', text);
  }
}

/** What nodemailer reports when a relay refuses or cannot be reached. */
export interface SendFailure {
  readonly responseCode?: number | undefined;
  /** nodemailer's code: EENVELOPE (RCPT refused), EMESSAGE (DATA refused), ECONNECTION, ... */
  readonly code?: string | undefined;
  readonly response?: string | undefined;
  readonly message: string;
}

/**
 * The IMTP answer for a relay's refusal: a permanent (5xx) refusal is an error the IM sender
 * sees at once; anything transient or a lost connection is `communications`.
 */
export function answerForFailure(f: SendFailure): Answer {
  const code = f.responseCode;
  const text = (f.response ?? f.message).slice(0, 300);
  if (code === undefined || code < 500) return errorAnswer('communications', `mail relay: ${text}`);
  const enhanced = /\b5\.(\d{1,3})\.(\d{1,3})\b/.exec(text);
  const subject = enhanced?.[1];
  if (subject === '7') return errorAnswer('target-authorization', `mail relay refused: ${text}`);
  if (code === 552 || subject === '3') return errorAnswer('quota', `mail relay refused: ${text}`);
  if (f.code === 'EENVELOPE' || code === 550 || code === 551 || code === 553 || subject === '1')
    return errorAnswer('target-not-found', `mail relay refused: ${text}`);
  return errorAnswer('target-not-found', `mail relay refused: ${text}`);
}

/** Accepted by a relay or written to the file sink: no end receipt (draft §16.2). */
export function unreliableOk(origin: string, messageId: string): Answer {
  return okAnswer([
    ['Unreliable', origin],
    ['Email-Message-ID', messageId],
  ]);
}
