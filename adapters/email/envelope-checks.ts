/**
 * Checks on the envelope's sender address that smtp-server leaves to the application (it
 * already refuses control characters). RFC 5321 4.1.2: a mailbox is ASCII; RFC 6531 3.4: non-ASCII
 * only after the client asked for SMTPUTF8 on MAIL FROM. Octets that are not UTF-8 at all reach
 * us decoded as U+FFFD and are no address in either case.
 */
import type { SmtpReply } from './smtp-codes.js';

/** The refusal for `address` given the MAIL FROM parameters, or null when it is acceptable. */
export function senderAddressProblem(address: string, args: unknown): SmtpReply | null {
  if (address.includes('\uFFFD'))
    // RFC 5321 4.1.4 / RFC 3463 5.1.7: bad sender's mailbox address syntax.
    return { code: 501, status: '5.1.7', text: 'the sender address is not valid UTF-8' };
  // Only the local part: smtp-server hands us an A-label domain (`xn--…`) already decoded to
  // Unicode, so a non-ASCII domain here may well have arrived as ASCII on the wire.
  const local = address.slice(0, Math.max(0, address.lastIndexOf('@')));
  // eslint-disable-next-line no-control-regex -- the test is for any octet outside ASCII
  if (/[^\x00-\x7f]/.test(local) && !smtpUtf8(args))
    // RFC 6531 3.7.4.1 (5.6.7: non-ASCII addresses not permitted without SMTPUTF8).
    return { code: 553, status: '5.6.7', text: 'non-ASCII address without SMTPUTF8' };
  return null;
}

function smtpUtf8(args: unknown): boolean {
  return typeof args === 'object' && args !== null && 'SMTPUTF8' in args;
}
