/**
 * The email adapter's entry for the kill tests (adapters/email/README.md): SMTP in on a free
 * port of the harness, mail out to `relayPort` (the test's mail sink) or nowhere, sender
 * authentication off (no DNS in tests), the per-sender rate out of the way of a stream.
 */
export const MAIL_DOMAIN = 'mail.gw.test';
/** Bob's mailbox on the mail side: `user=domain@mail domain` (adapters/email/addresses.ts). */
export const BOB_MAILBOX = `bob=gw.test@${MAIL_DOMAIN}`;
/** A mailbox elsewhere, as hub users address it. */
export const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL_DOMAIN}`;

export function emailAdapter(smtpPort: number, relayPort: number | null): Record<string, unknown> {
  return {
    type: 'email',
    id: 'mail',
    domain: MAIL_DOMAIN,
    localDomain: 'gw.test',
    senderAuth: { enabled: false },
    inbound: {
      host: '127.0.0.1',
      port: smtpPort,
      rate: { burst: 1_000_000, perMinute: 1_000_000 },
    },
    ...(relayPort === null
      ? {}
      : { outbound: { transport: 'smtp', host: '127.0.0.1', port: relayPort, timeoutMs: 5000 } }),
  };
}
