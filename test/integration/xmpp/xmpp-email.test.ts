/**
 * Across adapters: an XMPP user on a real Prosody and an outside mailbox through the email
 * adapter (a real SMTP sink receives the gateway's mail; nodemailer sends the reply to the
 * adapter's SMTP listener). Juliet writes to the puppet of `im:"mailto=erin@elsewhere.test"@D`;
 * Erin gets a mail from `juliet=localhost@D` and her answer reaches juliet from the same puppet.
 */
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { createEmailAdapterDefinition, type EmailAdapter } from '../../../adapters/email/index.js';
import { xmppAdapter } from '../../../adapters/xmpp/index.js';
import { stubResolver } from '../../support/email.js';
import { MAIL } from '../../support/email-gateway.js';
import { useMailSink } from '../../support/mail-sink.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody } from '../../support/xmpp.js';

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')('an XMPP user and a mailbox', () => {
  const smtp = useMailSink();
  const xmpp = useProsody();

  it('chat both ways through the gateway', async () => {
    const email = createEmailAdapterDefinition({ resolver: stubResolver({}) });
    const gw = await xmpp.gateway({
      adapterDefinitions: [email as never, xmppAdapter as never],
      adapters: [
        {
          type: 'email',
          id: 'email',
          domain: MAIL,
          localDomain: 'gw.test',
          inbound: { port: 0 },
          outbound: { transport: 'smtp', host: '127.0.0.1', port: smtp.sink.port, timeoutMs: 5000 },
        },
      ],
    });
    const juliet = await xmpp.user('juliet');
    // XEP-0106: the URI's local part (the quoted string's value, `mailto=erin@elsewhere.test`),
    // `@`, its domain, escaped; the last `@` splits it back.
    const puppet = `mailto=erin\\40elsewhere.test\\40${MAIL}@xmpp-gw.localhost`;
    await juliet.say(puppet, 'hello erin, from XMPP');
    const [mail] = await smtp.sink.waitFor(1, 5000);
    expect(mail!.rcptTo).toEqual(['erin@elsewhere.test']);
    expect(mail!.parsed.text).toContain('hello erin, from XMPP');
    const from = mail!.parsed.from?.value[0]?.address;
    expect(from).toBe(`juliet=localhost@${MAIL}`);

    const mailAdapter = gw.gateway.adapters.find((a) => a.type === 'email')!.adapter as EmailAdapter;
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: mailAdapter.smtpAddress!.port });
    try {
      await t.sendMail({
        from: 'Erin <erin@elsewhere.test>',
        to: from,
        subject: 'Re: hi',
        text: 'hello juliet, by mail',
      });
    } finally {
      t.close();
    }
    const m = await received(
      juliet,
      (s) => s.is('message') && (s.getChildText('body') ?? '').includes('by mail'),
    );
    expect(m.attrs.from).toBe(puppet);
  });
});
