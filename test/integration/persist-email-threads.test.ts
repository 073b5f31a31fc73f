/**
 * Issue 15 (docs/adapters/email.md "What survives a restart"): mail threads survive the
 * gateway's restarts on the same SQLite file, and so does the id map that issue 17's replies and
 * threads go through. A hub user's mail after a restart answers the mail before it
 * (In-Reply-To, References), and a reply mail to a gateway mail, received after a restart,
 * becomes the conversation's last mail, which the next mail out answers. Real SMTP both ways:
 * the recording sink (smtp-server) for mail out, nodemailer into the adapter's listener.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailAdapterDefinition, type EmailAdapter } from '../../adapters/email/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { stubResolver } from '../support/email.js';
import { MAIL, h } from '../support/email-gateway.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { sendText } from '../support/hub-calls.js';
import { useMailSink } from '../support/mail-sink.js';
import { readRelationCpim, relationCpim } from '../support/relation-cpim.js';
import { waitFor } from '../support/net.js';

const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`;

describe('mail threads across restarts', () => {
  const smtp = useMailSink();
  let dir: string | undefined;
  const running: TestGateway[] = [];
  afterEach(async () => {
    for (const g of running.splice(0)) await g.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function gateway(path: string): Promise<TestGateway> {
    const def = createEmailAdapterDefinition({ resolver: stubResolver({}) });
    const gw = await startTestGateway({
      logLevel: 'warn',
      config: {
        storage: { backend: 'sqlite', path },
        adapters: [
          {
            type: 'email',
            id: 'email',
            domain: MAIL,
            localDomain: 'gw.test',
            outbound: { transport: 'smtp', host: '127.0.0.1', port: smtp.sink.port, timeoutMs: 5000 },
            inbound: { port: 0 },
          },
        ],
      },
      adapterDefinitions: [def as AdapterDefinition<never>],
    });
    running.push(gw);
    return gw;
  }

  async function stop(gw: TestGateway): Promise<void> {
    running.splice(running.indexOf(gw), 1);
    await gw.stop();
  }

  it('a mail after a restart answers the one before it; a reply received after a restart is matched to its conversation', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persist-mail-'));
    const path = join(dir, 'gw.sqlite');

    const first = await gateway(path);
    const a1 = await first.client('alice');
    expect((await sendText(a1, 'im:alice@gw.test', DAVE_URI, 'first')).status).toBe('ok');
    const [m1] = await smtp.sink.waitFor(1);
    const firstId = m1!.parsed.messageId!;
    expect(m1!.parsed.inReplyTo).toBeUndefined();
    await stop(first);

    const second = await gateway(path);
    const a2 = await second.client('alice');
    expect(
      (await sendText(a2, 'im:alice@gw.test', DAVE_URI, 'second', [['Message-ID', 'alice-second']])).status,
    ).toBe('ok');
    const m2 = (await smtp.sink.waitFor(2))[1]!.parsed;
    expect(m2.inReplyTo).toBe(firstId);
    expect(m2.references).toEqual(firstId);
    await stop(second);

    // Dave answers the second mail, after another restart; alice listens for it.
    const third = await gateway(path);
    const got: CommandFrame[] = [];
    const a3 = await third.client('alice', 'imtp', (c) => {
      got.push(c);
      return { status: 'ok', headers: [] };
    });
    expect((await a3.command('listen', [['Inbox', 'im:alice@gw.test']])).status).toBe('ok');
    const port = (third.gateway.adapters[0]!.adapter as EmailAdapter).smtpAddress!.port;
    const t = nodemailer.createTransport({ host: '127.0.0.1', port });
    const daveId = '<dave-reply-1@elsewhere.test>';
    await t.sendMail({
      from: 'Dave <dave@elsewhere.test>',
      to: m2.replyTo!.value[0]!.address!,
      subject: 'Re: hi',
      messageId: daveId,
      inReplyTo: m2.messageId!,
      references: [firstId, m2.messageId!],
      text: 'got both',
    });
    t.close();
    await waitFor(() => got.length > 0);
    expect(h(got[0]!.headers, 'Sender')).toBe(DAVE_URI);
    expect(h(got[0]!.headers, 'Message-ID')).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    // Issue 17: the id map is kept too: Dave's reply to a mail sent before the restart still
    // arrives as a reply to alice's message, in the thread of her first one.
    const { r } = readRelationCpim(got[0]!.payload);
    expect(r.replyTo).toBe('alice-second');
    expect(r.thread).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    await stop(third);

    const fourth = await gateway(path);
    const a4 = await fourth.client('alice');
    expect((await sendText(a4, 'im:alice@gw.test', DAVE_URI, 'third')).status).toBe('ok');
    const m3 = (await smtp.sink.waitFor(3))[2]!.parsed;
    expect(m3.inReplyTo).toBe(daveId);
    expect(m3.references).toEqual([firstId, m2.messageId!, daveId]);
    // Issue 17: a chat reply after the restart to alice's message from before it answers its mail.
    const reply = await a4.command(
      'send',
      [
        ['Sender', 'im:alice@gw.test'],
        ['Inbox', DAVE_URI],
        ['Content-Type', 'message/cpim'],
      ],
      relationCpim('im:alice@gw.test', DAVE_URI, 'about the second', { replyTo: 'alice-second' }),
    );
    expect(reply.status).toBe('ok');
    const m4 = (await smtp.sink.waitFor(4))[3]!.parsed;
    expect(m4.inReplyTo).toBe(m2.messageId);
    expect(m4.references).toEqual([firstId, m2.messageId!]);
    // Four gateway starts, each with its SMTP listener and sender-check worker: on a loaded
    // two-core machine that can pass the default 20 s (no timing is asserted).
  }, 90_000);
});
