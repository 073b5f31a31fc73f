/**
 * Across adapters: an IRC channel on a real ngircd and a mail list in one gateway room. A line
 * said on `#dev` is mailed to the list's subscriber (received by a real SMTP server, the test
 * sink), and the subscriber's reply, sent over SMTP to the list address, comes back to `#dev`
 * with its quoted text removed, and is never mailed back to the list; nothing is echoed.
 * Issue 20 (one rendering path): a formatted IRC line reaches mail readable, its formatting as
 * HTML and no `text/x-irc` file attached; a mail with a 2 KB attachment reaches IRC as its text
 * and a line naming the attachment.
 * Issue 17, with a web room in the same gateway room (a WebSocket client, no browser): an IRC
 * reply to a mail (`erin: …`, text on plain IRC) is mailed answering her mail; a web reaction to
 * her mail is not mailed nor sent to plain IRC, and the web user's result says so; a web user's
 * edit of a line that went to IRC and the list reaches IRC and is mailed as a Correction
 * answering the first mail (`relations.inRooms`).
 */
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { createEmailAdapterDefinition, type EmailAdapter } from '../../adapters/email/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { stubResolver } from '../support/email.js';
import { useIrcServer } from '../support/irc.js';
import { useMailSink } from '../support/mail-sink.js';
import { waitFor } from '../support/net.js';

import { MAIL } from '../support/email-gateway.js';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import { signIn, TOKENS } from '../support/websocket.js';

describe('an IRC channel and a mail list in one room', () => {
  const smtp = useMailSink();
  const irc = useIrcServer();

  it('mails an IRC line to the list subscriber and brings the reply back to the channel', async () => {
    const sink = smtp.sink;
    const email = createEmailAdapterDefinition({ resolver: stubResolver({}) });
    const gw = await irc.gateway({
      adapterDefinitions: [email as AdapterDefinition<never>],
      rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: ['im:%23dev@irc.test', `im:dev@${MAIL}`] }],
      adapters: [
        {
          type: 'email',
          id: 'email',
          domain: MAIL,
          localDomain: 'gw.test',
          inbound: { port: 0 },
          outbound: { transport: 'smtp', host: '127.0.0.1', port: sink.port, timeoutMs: 5000 },
          lists: [{ name: 'dev', room: 'im:dev@gw.test', subscribers: ['erin@elsewhere.test'] }],
        },
      ],
    });
    const mailAdapter = gw.gateway.adapters.find((a) => a.type === 'email')!.adapter as EmailAdapter;
    const dave = await irc.user('Dave');
    await dave.join('#dev');

    // IRC → mail.
    dave.client.say('#dev', 'Deploy at five, anyone against?');
    const [mail] = await sink.waitFor(1, 5000);
    expect(mail!.rcptTo).toEqual(['erin@elsewhere.test']);
    expect(mail!.parsed.text).toContain('Deploy at five, anyone against?');
    // The display name says who in which room (and the room's network); the footer says where the
    // author wrote it: on IRC.
    expect(mail!.parsed.from?.value[0]?.name).toBe('dave in dev (IM gw.test)');
    expect(mail!.parsed.text).toContain('dave wrote this on IM irc.test in im:dev@gw.test.');
    expect(mail!.raw.toString()).toMatch(/^X-IM-Sender: im:dave@irc\.test\r?$/im);
    expect(mail!.parsed.replyTo?.value[0]?.address).toBe(`dev@${MAIL}`);
    expect(mail!.raw.toString()).toMatch(/^List-Id: <dev\.mail\.gw\.test>/im);
    const messageId = mail!.parsed.messageId!;
    expect(messageId).toMatch(/^<.+@.+>$/);

    // The subscriber answers the list mail; the reply returns to #dev, quote stripped.
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: mailAdapter.smtpAddress!.port });
    try {
      await t.sendMail({
        from: 'Erin <erin@elsewhere.test>',
        to: `dev@${MAIL}`,
        subject: `Re: ${mail!.parsed.subject ?? ''}`,
        inReplyTo: messageId,
        references: [messageId],
        text: 'Fine by me, five it is.\n\nOn Mon, Dave wrote:\n> Deploy at five, anyone against?\n',
      });
    } finally {
      t.close();
    }
    const back = await waitFor(() => dave.lines.find((l) => l.target === '#dev'), 5000, 'reply on #dev');
    expect(back.nick).toBe('gwbot');
    // Relay prefix: the author's URI local part (RFC 3860 App. B form of the outside mailbox).
    // Issue 17: the mail answers Dave's line (In-Reply-To → Msg.Reply-To), so plain IRC shows it
    // as a reply to him (`Dave: `, message-semantics §1.2).
    expect(back.message).toBe('<mailto=erin@elsewhere.test> Dave: Fine by me, five it is.');

    // Nothing echoed: Dave's own line is not sent back to #dev, the reply is not mailed back to
    // the list, and the reply reached the channel once.
    await new Promise((r) => setTimeout(r, 300));
    expect(dave.lines.filter((l) => l.target === '#dev')).toHaveLength(1);
    expect(sink.mails).toHaveLength(1);

    // Issue 20: a formatted IRC line is mailed as its text, with its formatting as HTML.
    dave.client.say('#dev', '\x02Bold\x02 and \x0304red\x03 \x1dnews\x1d');
    const formatted = (await sink.waitFor(2, 5000))[1]!.parsed;
    expect(formatted.text).toContain('Bold and red news');
    expect(formatted.html).toContain('<b>Bold</b>');
    expect(formatted.html).toContain('<span style="color:#ff0000">red</span>');
    expect(formatted.attachments).toEqual([]);

    // Issue 20: a mail with a 2 KB attachment reaches IRC as its text and a line naming the file.
    const t2 = nodemailer.createTransport({ host: '127.0.0.1', port: mailAdapter.smtpAddress!.port });
    try {
      await t2.sendMail({
        from: 'Erin <erin@elsewhere.test>',
        to: `dev@${MAIL}`,
        subject: 'small-attach',
        text: 'see small-attach',
        attachments: [
          { filename: 'notes.bin', content: Buffer.alloc(2048, 1), contentType: 'application/octet-stream' },
        ],
      });
    } finally {
      t2.close();
    }
    await waitFor(() => dave.lines.filter((l) => l.target === '#dev').length >= 3, 5000, 'attachment lines');
    const onIrc = dave.lines
      .filter((l) => l.target === '#dev')
      .map((l) => l.message)
      .slice(1);
    expect(onIrc[0]).toBe('<mailto=erin@elsewhere.test> see small-attach');
    // Issue 17 (docs/files.md): the file as a link to the gateway's file store.
    expect(onIrc[1]).toMatch(
      /^<mailto=erin@elsewhere\.test> notes\.bin \(application\/octet-stream, 2 KiB\): http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_-]{24}\/notes\.bin$/,
    );
    expect(onIrc).toHaveLength(2);
  });

  it('relations across IRC, mail and the web (issue 17): IRC reply to a mail, web reaction and edit', async () => {
    const sink = smtp.sink;
    const email = createEmailAdapterDefinition({ resolver: stubResolver({}) });
    const gw = await irc.gateway({
      adapterDefinitions: [email as AdapterDefinition<never>, websocketAdapter as AdapterDefinition<never>],
      rooms: [
        {
          name: 'dev',
          address: 'im:dev@gw.test',
          members: ['im:%23dev@irc.test', `im:dev@${MAIL}`, 'im:room.dev@web.test'],
        },
      ],
      adapters: [
        {
          type: 'email',
          id: 'email',
          domain: MAIL,
          localDomain: 'gw.test',
          inbound: { port: 0 },
          outbound: { transport: 'smtp', host: '127.0.0.1', port: sink.port, timeoutMs: 5000 },
          lists: [{ name: 'dev', room: 'im:dev@gw.test', subscribers: ['erin@elsewhere.test'] }],
          relations: { inRooms: true },
        },
        {
          type: 'websocket',
          domain: 'web.test',
          http: { port: 0 },
          auth: { tokens: [{ user: 'alice', token: TOKENS.alice }] },
          rooms: [{ name: 'dev', address: 'im:dev@gw.test' }],
        },
      ],
    });
    const mailAdapter = gw.gateway.adapters.find((a) => a.type === 'email')!.adapter as EmailAdapter;
    const web = (gw.gateway.adapters.find((a) => a.type === 'websocket')!.adapter as WebSocketAdapter)
      .address!;
    const alice = await signIn(`ws://${web.host}:${web.port}/ws`, TOKENS.alice, true, 2);
    expect(await alice.request({ type: 'join', room: 'dev' })).toMatchObject({ status: 'ok' });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const onDev = () => dave.lines.filter((l) => l.target === '#dev');

    // Erin's mail reaches #dev and the page.
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: mailAdapter.smtpAddress!.port });
    try {
      await t.sendMail({
        from: 'Erin <erin@elsewhere.test>',
        to: `dev@${MAIL}`,
        subject: 'Build',
        messageId: '<green@elsewhere.test>',
        text: 'The build is green.',
      });
    } finally {
      t.close();
    }
    const fromErin = await alice.waitFor(
      (f) => f.type === 'message' && f.text === 'The build is green.',
      5000,
    );
    const erinId = (fromErin as { id: string }).id;
    await waitFor(() => onDev().length >= 1 || undefined, 5000, 'the mail on #dev');

    // IRC → mail: on plain IRC a reply is its text (`erin: `); mailed answering her mail.
    dave.client.say('#dev', 'erin: great, shipping it');
    const [shipped] = await sink.waitFor(1, 5000);
    expect(shipped!.parsed.text).toContain('erin: great, shipping it');
    expect(shipped!.parsed.inReplyTo).toBe('<green@elsewhere.test>');
    expect(shipped!.parsed.subject).toBe('Re: Build');

    // Web → a reaction to Erin's mail: not mailed, not sent to plain IRC; the result says both.
    const reacted = await alice.request({
      type: 'send',
      room: 'dev',
      reaction: { op: 'add', target: erinId, key: '👍' },
    });
    expect(reacted).toMatchObject({ status: 'ok' });
    const notes = (reacted as { clipped?: string[] }).clipped ?? [];
    expect(notes).toContain('a reaction is not mailed');
    expect(notes.some((n) => n !== 'a reaction is not mailed')).toBe(true);

    // Web → a line to IRC and the list, then its edit: IRC shows the new text, the list gets a
    // Correction answering the first mail.
    const post = await alice.request({ type: 'send', room: 'dev', text: 'Deploy at five' });
    const postId = (post as { messageId: string }).messageId;
    const [, first] = await sink.waitFor(2, 5000);
    expect(first!.parsed.text).toContain('Deploy at five');
    expect(
      await alice.request({ type: 'send', room: 'dev', text: 'Deploy at six', replaces: postId }),
    ).toMatchObject({ status: 'ok' });
    const [, , correction] = await sink.waitFor(3, 5000);
    expect(String(correction!.parsed.text).split('\n-- ')[0]!.trim()).toBe('Correction: Deploy at six');
    expect(correction!.parsed.inReplyTo).toBe(first!.parsed.messageId);
    expect(correction!.rcptTo).toEqual(['erin@elsewhere.test']);
    // IRC has no edit: one correction line against what IRC saw (docs/adapters/irc.md).
    await waitFor(() => onDev().find((l) => l.message.endsWith('s/five/six/')), 5000, 'the edit on #dev');
    // Nothing else reached #dev: Erin's mail, Alice's line and its edit (the reaction was not sent).
    expect(onDev().map((l) => l.message)).toEqual([
      '<mailto=erin@elsewhere.test> The build is green.',
      '<alice@web.test> Deploy at five',
      '<alice@web.test> s/five/six/',
    ]);
    expect(sink.mails).toHaveLength(3);
    alice.close();
  }, 60_000);
});
