/**
 * Issue 17 on the email adapter, the gateway's outbound mail received by a real SMTP server
 * (smtp-server) and Dave's answers sent to the gateway's: a chat reply answers the mail it names
 * and a mail reply comes back as Msg.Reply-To; edits mailed as a Correction, reactions and
 * deletions not mailed or (per relations.*) a short follow-up; References as Msg.Thread and back;
 * attachments both ways, a linked file mailed as its link (message/external-body).
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { sendText } from '../support/hub-calls.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { HubClient } from '../../src/hub/client.js';
import {
  buildCpim,
  parseCpim,
  readMimeEntity,
  readRelations,
  relationHeaders,
  type Relations,
} from '../../src/index.js';
import { readRelationCpim, relationCpim } from '../support/relation-cpim.js';
import { useMailSink } from '../support/mail-sink.js';
import { cpimOf, h, MAIL, useEmailGateways } from '../support/email-gateway.js';
import { DAVE_URI, relayHelpers } from '../support/email-relay.js';

describe('email adapter, outbound: replies, edits, reactions, deletions, threads, attachments (issue 17)', () => {
  const smtp = useMailSink();
  const startGateway = useEmailGateways();
  const { relayGateway, alice } = relayHelpers(startGateway);

  it('a chat reply (Msg.Reply-To) answers the mail it names; a mail reply comes back as Msg.Reply-To (issue 17)', async () => {
    const s = smtp.sink;
    const eg = await relayGateway(s.port);
    const got: CommandFrame[] = [];
    const a = await alice(eg, got);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    try {
      // Two separate mails from Dave: the chat reply names the first, not the latest.
      for (const n of [1, 2])
        await t.sendMail({
          from: 'Dave <dave@elsewhere.test>',
          to: `alice=gw.test@${MAIL}`,
          subject: `Topic ${n}`,
          messageId: `<topic${n}@elsewhere.test>`,
          text: `topic ${n} from Dave`,
        });
      expect(got).toHaveLength(2);
      const first = h(got[0]!.headers, 'Message-ID')!;
      const hd = relationHeaders({ replyTo: first }, false);
      const r = await a.command(
        'send',
        [
          ['Sender', 'im:alice@gw.test'],
          ['Inbox', DAVE_URI],
          ['Content-Type', 'message/cpim'],
          ['Message-ID', 'alice-reply-1'],
        ],
        buildCpim({
          startsWith: 'cpim-headers',
          from: { uri: 'im:alice@gw.test' },
          to: [{ uri: DAVE_URI }],
          dateTime: new Date(),
          ns: hd.ns,
          extraHeaders: hd.extraHeaders,
          contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
          body: 'about topic 1',
        }),
      );
      expect(r.status).toBe('ok');
      const mail = (await s.waitFor(1)).at(-1)!.parsed;
      expect(mail.inReplyTo).toBe('<topic1@elsewhere.test>');
      // Dave answers that mail: alice gets his reply with Msg.Reply-To naming her message.
      await t.sendMail({
        from: 'Dave <dave@elsewhere.test>',
        to: `alice=gw.test@${MAIL}`,
        subject: 'Re: Topic 1',
        messageId: '<answer@elsewhere.test>',
        inReplyTo: mail.messageId,
        references: [mail.messageId!],
        text: 'thanks',
      });
      const answer = got.at(-1)!;
      const parsed = parseCpim(answer.payload!, { startsWith: 'cpim-headers', mode: 'strict' });
      if (parsed.result === 'reject') throw new Error(parsed.reason);
      expect(readRelations(parsed.message).replyTo).toBe('alice-reply-1');
    } finally {
      t.close();
    }
  });

  it('edits are mailed as a Correction answering the original; reactions and deletions are not mailed, or per relations.* a short follow-up (issue 17)', async () => {
    const s = smtp.sink;
    const send = (a: HubClient, payload: Buffer, id: string) =>
      sendText(a, 'im:alice@gw.test', DAVE_URI, payload, [
        ['Content-Type', 'message/cpim'],
        ['Message-ID', id],
      ]);
    const cpim = (body: string, r: Relations) => relationCpim('im:alice@gw.test', DAVE_URI, body, r);
    const text = (mail: { parsed: { text?: string | false } }) =>
      String(mail.parsed.text).split('\n-- ')[0]!.trim();

    // Defaults: edits mailed (1:1), reactions and deletions not.
    const eg = await relayGateway(s.port);
    const a = await alice(eg, []);
    expect((await send(a, cpim('see you at 5', {}), 'alice-m1')).status).toBe('ok');
    const original = (await s.waitFor(1))[0]!.parsed;
    const edit = await send(
      a,
      cpim('* see you at 6', { id: 'alice-e1', replaces: 'alice-m1', fallback: [{ start: 0, end: 2 }] }),
      'alice-e1',
    );
    expect(edit.status).toBe('ok');
    const [, correction] = await s.waitFor(2);
    expect(text(correction!)).toBe('Correction: see you at 6');
    expect(correction!.parsed.subject).toBe('Re: Message from alice');
    expect(correction!.parsed.inReplyTo).toBe(original.messageId);
    expect(correction!.parsed.references).toBe(original.messageId);
    const reaction = await send(
      a,
      cpim('', { reaction: { op: 'add', target: 'alice-m1', key: '👍' } }),
      'r1',
    );
    expect([reaction.status, h(reaction.headers, 'Mail-Clipped')]).toEqual([
      'ok',
      'a reaction is not mailed',
    ]);
    // A deletion with its fallback body is not mailed either (its fallback is not a message).
    const deletion = await send(
      a,
      cpim('(alice deleted a message)', { retracts: 'alice-m1', fallback: [{ start: 0, end: null }] }),
      'd1',
    );
    expect([deletion.status, h(deletion.headers, 'Mail-Clipped')]).toEqual([
      'ok',
      'a deletion is not mailed',
    ]);
    // An edit of a message never mailed here is a new mail with the new text.
    expect(
      (await send(a, cpim('* fresh', { replaces: 'unknown-1', fallback: [{ start: 0, end: 2 }] }), 'e2'))
        .status,
    ).toBe('ok');
    const fresh = (await s.waitFor(3))[2]!;
    expect(text(fresh)).toBe('fresh');
    expect(fresh.parsed.subject).toBe('Message from alice');
    // A requirement of another namespace is refused (RFC 3862 §3.5).
    const other = buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: 'im:alice@gw.test' },
      to: [{ uri: DAVE_URI }],
      dateTime: new Date(),
      ns: [{ prefix: 'X', uri: 'tag:example.org,2026:x' }],
      require: ['X.Magic'],
      extraHeaders: [{ name: 'X.Magic', value: '1' }],
      contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
      body: 'needs magic',
    });
    expect(h((await send(a, other, 'x1')).headers, 'Error-Type')).toBe('malformed');
    expect(s.mails).toHaveLength(3);

    // relations: edits dropped, reactions and deletions mailed as follow-ups.
    const eg2 = await relayGateway(s.port, {
      email: { relations: { edits: 'drop', reactions: 'mail', deletions: 'mail' } },
    });
    const a2 = await alice(eg2, []);
    expect((await send(a2, cpim('lunch?', {}), 'alice-m2')).status).toBe('ok');
    const lunch = (await s.waitFor(4))[3]!.parsed;
    const dropped = await send(
      a2,
      cpim('* dinner?', { replaces: 'alice-m2', fallback: [{ start: 0, end: 2 }] }),
      'e3',
    );
    expect([dropped.status, h(dropped.headers, 'Mail-Clipped')]).toEqual(['ok', 'an edit is not mailed']);
    const r2 = await send(a2, cpim('', { reaction: { op: 'add', target: 'alice-m2', key: '🍕' } }), 'r2');
    expect([r2.status, h(r2.headers, 'Mail-Clipped')]).toEqual(['ok', undefined]);
    const d2 = await send(a2, cpim('', { retracts: 'alice-m2' }), 'd2');
    expect(d2.status).toBe('ok');
    const [reacted, deleted] = (await s.waitFor(6)).slice(4);
    expect(text(reacted!)).toBe('alice reacted 🍕');
    expect(text(deleted!)).toBe('alice deleted a message');
    for (const m of [reacted!, deleted!]) {
      expect(m.parsed.inReplyTo).toBe(lunch.messageId);
      expect(m.parsed.subject).toBe('Re: Message from alice');
    }
    // Removing a reaction would be one more mail: not mailed, said.
    const removed = await send(
      a2,
      cpim('', { reaction: { op: 'remove', target: 'alice-m2', key: '🍕' } }),
      'r3',
    );
    expect(h(removed.headers, 'Mail-Clipped')).toBe('the removal of a reaction is not mailed');
    expect(s.mails).toHaveLength(6);
  });

  it('threads: References become Msg.Thread (the root) beside Msg.Reply-To; Msg.Thread goes out as References, root first (issue 17)', async () => {
    const s = smtp.sink;
    const eg = await relayGateway(s.port);
    const got: CommandFrame[] = [];
    const a = await alice(eg, got);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    const send = (body: string, r: Relations, id: string) =>
      sendText(a, 'im:alice@gw.test', DAVE_URI, relationCpim('im:alice@gw.test', DAVE_URI, body, r), [
        ['Content-Type', 'message/cpim'],
        ['Message-ID', id],
      ]);
    try {
      const root = '<trip@elsewhere.test>';
      await t.sendMail({
        from: 'Dave <dave@elsewhere.test>',
        to: `alice=gw.test@${MAIL}`,
        subject: 'Trip',
        messageId: root,
        text: 'where shall we go?',
      });
      const rootId = h(got[0]!.headers, 'Message-ID')!;
      expect(readRelationCpim(got[0]!.payload).r).toEqual({});
      expect((await send('the coast', { replyTo: rootId }, 'alice-t1')).status).toBe('ok');
      const a1 = (await s.waitFor(1))[0]!.parsed;
      expect([a1.inReplyTo, a1.references]).toEqual([root, root]);
      // Dave answers alice's mail: a reply to her message, in the thread of his first mail.
      await t.sendMail({
        from: 'Dave <dave@elsewhere.test>',
        to: `alice=gw.test@${MAIL}`,
        subject: 'Re: Trip',
        messageId: '<trip2@elsewhere.test>',
        inReplyTo: a1.messageId!,
        references: [root, a1.messageId!],
        text: 'the coast it is',
      });
      expect(readRelationCpim(got[1]!.payload).r).toEqual({ replyTo: 'alice-t1', thread: rootId });
      // Alice writes in the thread without answering one message: the thread's last mail,
      // References root first.
      expect((await send('booking now', { thread: rootId }, 'alice-t2')).status).toBe('ok');
      const a2 = (await s.waitFor(2))[1]!.parsed;
      expect(a2.subject).toBe('Re: Trip');
      expect(a2.inReplyTo).toBe('<trip2@elsewhere.test>');
      expect(a2.references).toEqual([root, a1.messageId!, '<trip2@elsewhere.test>']);
      // A reply to alice's first answer, in the thread: References the chain up to it.
      expect((await send('(or the hills)', { replyTo: 'alice-t1', thread: rootId }, 'alice-t3')).status).toBe(
        'ok',
      );
      const a3 = (await s.waitFor(3))[2]!.parsed;
      expect(a3.inReplyTo).toBe(a1.messageId);
      expect(a3.references).toEqual([root, a1.messageId!]);
    } finally {
      t.close();
    }
  });

  it('attachments both ways through the core: a mail’s file reaches a hub client byte-identical, a hub client’s file is mailed, a linked file is mailed as its link (issue 17)', async () => {
    const s = smtp.sink;
    const eg = await relayGateway(s.port);
    const got: CommandFrame[] = [];
    const a = await alice(eg, got);
    // Mail → hub client: a multipart/mixed part with the file's name, type and bytes.
    const photo = randomBytes(3000);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    try {
      await t.sendMail({
        from: 'Dave <dave@elsewhere.test>',
        to: `alice=gw.test@${MAIL}`,
        subject: 'photo',
        text: 'the view',
        attachments: [{ filename: 'view.png', content: photo, contentType: 'image/png' }],
      });
    } finally {
      t.close();
    }
    const inbound = cpimOf(got[0]!);
    expect(inbound.contentType).toMatch(/^multipart\/mixed/);
    const read = await readMimeEntity(inbound.contentType!, undefined, inbound.message.body);
    expect(read.text).toBe('the view');
    expect(read.attachments).toHaveLength(1);
    expect(read.attachments[0]).toMatchObject({ type: 'image/png', filename: 'view.png' });
    expect(Buffer.from(read.attachments[0]!.content).equals(photo)).toBe(true);

    // Hub client → mail: her multipart/mixed with a file becomes a mail with that attachment.
    const pdf = randomBytes(2000);
    const mixed = (parts: string[]) =>
      buildCpim({
        startsWith: 'cpim-headers',
        from: { uri: 'im:alice@gw.test' },
        to: [{ uri: DAVE_URI }],
        dateTime: new Date(),
        contentHeaders: [['Content-Type', 'multipart/mixed; boundary="p"']],
        body: parts.map((p) => `--p\r\n${p}\r\n`).join('') + '--p--\r\n',
      });
    const text = 'Content-Type: text/plain; charset=UTF-8\r\n\r\nthe report';
    const file =
      'Content-Type: application/pdf; name="report.pdf"\r\nContent-Disposition: attachment; filename="report.pdf"\r\n' +
      `Content-Transfer-Encoding: base64\r\n\r\n${pdf.toString('base64')}`;
    const send = (payload: Buffer) =>
      a.command(
        'send',
        [
          ['Sender', 'im:alice@gw.test'],
          ['Inbox', DAVE_URI],
          ['Content-Type', 'message/cpim'],
        ],
        payload,
      );
    expect((await send(mixed([text, file]))).status).toBe('ok');
    const mailed = (await s.waitFor(1))[0]!.parsed;
    expect(mailed.text).toContain('the report');
    expect(mailed.attachments).toHaveLength(1);
    expect(mailed.attachments[0]).toMatchObject({ filename: 'report.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(mailed.attachments[0]!.content).equals(pdf)).toBe(true);

    // A file given as a link (message/external-body, RFC 2017, as the file store writes it):
    // the mail carries the link in its text, and no attachment.
    const link = 'https://files.gw.test/f/Zx81_qT0k3n/big.zip';
    const external =
      `Content-Type: message/external-body; access-type=URL;\r\n URL="${link}"; size=5000000\r\n\r\n` +
      'Content-Type: application/zip; name="big.zip"\r\nContent-Disposition: attachment; filename="big.zip"\r\n';
    expect((await send(mixed([text, external]))).status).toBe('ok');
    const linked = (await s.waitFor(2))[1]!.parsed;
    expect(linked.text).toContain(`the report\nbig.zip (application/zip, 4.8 MiB): ${link}`);
    expect(linked.html).toContain(`<a href="${link}">`);
    expect(linked.attachments).toEqual([]);
  });
});
