/**
 * The gateway's outbound mail, received by a real SMTP server (smtp-server) and once through
 * Debian's Postfix as a relay; a full round trip; a room with a list member; sender
 * authentication with DKIM and DMARC against a stub resolver; no presence for mailboxes.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
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
import { startPostfix, type Postfix } from '../support/email.js';
import { useMailSink } from '../support/mail-sink.js';
import { freePort } from '../support/net.js';
import { cpimOf, h, logged, MAIL, useEmailGateways, type EmailGateway } from '../support/email-gateway.js';
import { sendText } from '../support/hub-calls.js';

const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`;

function imFromAlice(text: string, extra: { inReplyTo?: string; subject?: string } = {}): Buffer {
  return buildCpim({
    startsWith: 'cpim-headers',
    from: { formalName: 'Alice Liddell', uri: 'im:alice@gw.test' },
    to: [{ uri: DAVE_URI }],
    dateTime: new Date(),
    ...(extra.subject ? { subjects: [{ text: extra.subject }] } : {}),
    ...(extra.inReplyTo
      ? {
          ns: [{ prefix: 'Mail', uri: 'tag:cpim-gateway.org,2025:email' }],
          extraHeaders: [
            { name: 'Mail.In-Reply-To', value: extra.inReplyTo },
            { name: 'Mail.References', value: extra.inReplyTo },
          ],
        }
      : {}),
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: text,
  });
}

/** The thread's Message-IDs in order: dave's first mail, alice's answer, dave's next, ... */
function* interleave(dave: readonly string[], alice: readonly string[]): Generator<string> {
  for (let i = 0; i < dave.length; i++) {
    yield dave[i]!;
    if (i < alice.length) yield alice[i]!;
  }
}

describe('email adapter, outbound', () => {
  const smtp = useMailSink();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  // After the hook above, so that (hooks run in reverse) the gateways stop before Postfix.
  const startGateway = useEmailGateways();
  async function relayGateway(
    port: number,
    rest: { dns?: Record<string, string[]>; rooms?: unknown[]; email?: Record<string, unknown> } = {},
  ) {
    return startGateway(
      { outbound: { transport: 'smtp', host: '127.0.0.1', port, timeoutMs: 5000 }, ...rest.email },
      { ...(rest.dns ? { dns: rest.dns } : {}), ...(rest.rooms ? { rooms: rest.rooms } : {}) },
    );
  }
  async function alice(eg: EmailGateway, got: CommandFrame[] = []) {
    const c = await eg.gw.client('alice', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    await c.command('listen', [['Inbox', 'im:alice@gw.test']]);
    return c;
  }

  it('round trip: an IM becomes a mail with the right headers; the quoted reply comes back as its text alone, threaded', async () => {
    const s = smtp.sink;
    const eg = await relayGateway(s.port);
    const got: CommandFrame[] = [];
    const a = await alice(eg, got);
    const r = await a.command(
      'send',
      [
        ['Sender', 'im:alice@gw.test'],
        ['Inbox', DAVE_URI],
        ['Content-Type', 'message/cpim'],
      ],
      imFromAlice('Are you coming to the party?\nhttps://example.org/party', {
        subject: 'Party',
        inReplyTo: '<earlier@elsewhere.test>',
      }),
    );
    expect(r.status).toBe('ok');
    expect(h(r.headers, 'Unreliable')).toBe(MAIL);
    const [mail] = await s.waitFor(1);
    const p = mail!.parsed;
    expect(mail!.rcptTo).toEqual(['dave@elsewhere.test']);
    expect(p.from?.value[0]).toEqual({
      name: 'Alice Liddell (IM gw.test)',
      address: `alice=gw.test@${MAIL}`,
    });
    expect(p.replyTo?.value[0]?.address).toBe(`alice=gw.test@${MAIL}`);
    expect(p.subject).toBe('Party');
    expect(p.inReplyTo).toBe('<earlier@elsewhere.test>');
    expect(p.text).toContain('Are you coming to the party?');
    expect(p.html).toContain('<a href="https://example.org/party">');
    expect(p.messageId).toBe(h(r.headers, 'Email-Message-ID'));
    expect(mail!.raw.toString()).toMatch(/multipart\/alternative/);

    // Dave answers with his mail client, quoting the mail.
    const quoted = p
      .text!.split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    const info = await t.sendMail({
      from: 'Dave <dave@elsewhere.test>',
      to: p.replyTo!.value[0]!.address!,
      subject: 'Re: Party',
      inReplyTo: p.messageId!,
      references: [p.messageId!],
      text: `Yes, I'll bring cake.\n\nDave\n\nOn Sat, 1 Jun 2024 at 10:00, Alice Liddell <x@y> wrote:\n${quoted}\n`,
    });
    t.close();
    expect(info.response).toMatch(/^250 /);
    expect(got).toHaveLength(1);
    const back = cpimOf(got[0]!);
    expect(h(got[0]!.headers, 'Sender')).toBe(DAVE_URI);
    expect(back.body.replace(/\r\n/g, '\n').trim()).toBe("Yes, I'll bring cake.\n\nDave");
    expect(back.ext('In-Reply-To')).toBe(p.messageId);
    expect(back.message.semantics.subjects[0]?.text).toBe('Re: Party');
  });

  it('replies from the hub to a mail thread, three rounds: In-Reply-To, References and Re: <subject> (issue 20)', async () => {
    const s = smtp.sink;
    const eg = await relayGateway(s.port);
    const got: CommandFrame[] = [];
    const a = await alice(eg, got);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    const daveIds: string[] = [];
    const aliceIds: string[] = [];
    // Alice wrote first, without a Subject: the gateway's "Message from alice" names no thread.
    expect((await sendText(a, 'im:alice@gw.test', DAVE_URI, 'are you there?')).status).toBe('ok');
    const opener = (await s.waitFor(1))[0]!.parsed;
    expect(opener.subject).toBe('Message from alice');
    try {
      for (let round = 1; round <= 3; round++) {
        // Dave mails alice (round 1 starts the thread; later rounds answer her last mail).
        const id = `<round${round}@elsewhere.test>`;
        const last = aliceIds.at(-1);
        await t.sendMail({
          from: 'Dave <dave@elsewhere.test>',
          to: `alice=gw.test@${MAIL}`,
          subject: round === 1 ? 'Plans for Friday' : 'Re: Plans for Friday',
          messageId: id,
          ...(last === undefined ? {} : { inReplyTo: last, references: [...interleave(daveIds, aliceIds)] }),
          text: `round ${round} from Dave`,
        });
        daveIds.push(id);
        expect(got).toHaveLength(round);
        // Alice answers from the hub: plain text, no Subject, no threading of her own.
        expect((await sendText(a, 'im:alice@gw.test', DAVE_URI, `round ${round} from Alice`)).status).toBe(
          'ok',
        );
        const p = (await s.waitFor(round + 1))[round]!.parsed;
        expect(p.subject).toBe('Re: Plans for Friday');
        expect(p.inReplyTo).toBe(id);
        const refs = [opener.messageId!, ...interleave(daveIds, aliceIds)];
        expect(p.references === undefined ? [] : ([] as string[]).concat(p.references)).toEqual(refs);
        aliceIds.push(p.messageId!);
      }
    } finally {
      t.close();
    }
  });

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
      a.command(
        'send',
        [
          ['Sender', 'im:alice@gw.test'],
          ['Inbox', DAVE_URI],
          ['Content-Type', 'message/cpim'],
          ['Message-ID', id],
        ],
        payload,
      );
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
      a.command(
        'send',
        [
          ['Sender', 'im:alice@gw.test'],
          ['Inbox', DAVE_URI],
          ['Content-Type', 'message/cpim'],
          ['Message-ID', id],
        ],
        relationCpim('im:alice@gw.test', DAVE_URI, body, r),
      );
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

  it('a relay’s permanent refusal is an error answer; a relay that is down is communications without a store, kept with one', async () => {
    const s = smtp.sink;
    smtp.refuse((rcpt) => (rcpt.startsWith('nobody') ? { code: 550, text: '5.1.1 no such user' } : null));
    const eg = await relayGateway(s.port);
    const a = await alice(eg);
    const nobody = `im:%22mailto=nobody%40elsewhere.test%22@${MAIL}`;
    const r = await sendText(a, 'im:alice@gw.test', nobody, 'hello?');
    expect(r.status).toBe('error');
    expect(h(r.headers, 'Error-Type')).toBe('target-not-found');
    expect(logged(eg.gw, 'mail not sent')).toHaveLength(1);

    // With a store (test gateways have one) the mail is kept for the relay (email-queue.test.ts).
    const port = await freePort();
    const kept = await sendText(await alice(await relayGateway(port)), 'im:alice@gw.test', DAVE_URI, 'hi');
    expect([kept.status, h(kept.headers, 'Stored')]).toEqual(['ok', 'queued']);
    const down = await startGateway(
      { outbound: { transport: 'smtp', host: '127.0.0.1', port, timeoutMs: 5000 } },
      { storage: { backend: 'none' } },
    );
    const a2 = await alice(down);
    const r2 = await sendText(a2, 'im:alice@gw.test', DAVE_URI, 'hi');
    expect(h(r2.headers, 'Error-Type')).toBe('communications');
  });

  it('through Debian’s Postfix as a relay', async () => {
    const s = smtp.sink;
    const pf: Postfix = await startPostfix(s.port);
    cleanup.push(() => pf.stop());
    const eg = await relayGateway(pf.port);
    const a = await alice(eg);
    const r = await a.command(
      'send',
      [
        ['Sender', 'im:alice@gw.test'],
        ['Inbox', DAVE_URI],
        ['Content-Type', 'message/cpim'],
      ],
      imFromAlice('via postfix'),
    );
    expect(r.status).toBe('ok');
    expect(h(r.headers, 'Unreliable')).toBe(MAIL);
    const [mail] = await s.waitFor(1, 15_000);
    expect(mail!.parsed.text).toContain('via postfix');
    expect(mail!.raw.toString()).toMatch(/by relay\.postfix\.test \(Postfix\)/);
    for (let i = 0; i < 50 && !/status=sent/.test(await pf.log()); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await pf.log()).toMatch(/status=sent/);
  });

  it('a room with a list member: room messages go to the subscribers, their replies come back into the room', async () => {
    const s = smtp.sink;
    const eg = await relayGateway(s.port, {
      rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: ['im:alice@gw.test', `im:dev@${MAIL}`] }],
      email: {
        lists: [
          {
            name: 'dev',
            room: 'im:dev@gw.test',
            subscribers: ['dave@elsewhere.test', 'erin@elsewhere.test'],
          },
        ],
      },
    });
    const got: CommandFrame[] = [];
    const a = await alice(eg, got);
    const r = await sendText(a, 'im:alice@gw.test', 'im:dev@gw.test', 'standup in 5');
    expect(r.status).toBe('ok');
    const [mail] = await s.waitFor(1);
    expect([...mail!.rcptTo].sort()).toEqual(['dave@elsewhere.test', 'erin@elsewhere.test']);
    expect(mail!.parsed.replyTo?.value[0]?.address).toBe(`dev@${MAIL}`);
    expect(mail!.parsed.from?.value[0]?.name).toBe('alice in dev (IM gw.test)');
    expect(mail!.raw.toString()).toMatch(/^List-Id: <dev\.mail\.gw\.test>/im);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    await t.sendMail({
      from: 'dave@elsewhere.test',
      to: `dev@${MAIL}`,
      subject: 'Re',
      text: 'on my way\n\n> standup in 5',
    });
    await expect(
      t.sendMail({ from: 'mallory@elsewhere.test', to: `dev@${MAIL}`, text: 'spam' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    t.close();
    expect(got).toHaveLength(1);
    expect(h(got[0]!.headers, 'Sender')).toBe('im:dev@gw.test');
    expect(h(got[0]!.headers, 'Orig-Sender')).toBe(DAVE_URI);
    expect(cpimOf(got[0]!).body.trim()).toBe('on my way');
    // The list's own copy of the room message is not sent back to the list.
    expect(s.mails).toHaveLength(1);
  });

  it('DKIM + DMARC pass gives Astrength medium; a DMARC p=reject failure is refused with 550', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const dns = {
      'sel._domainkey.signed.test': [`v=DKIM1; k=rsa; p=${pub}`],
      '_dmarc.signed.test': ['v=DMARC1; p=reject'],
      '_dmarc.strict.test': ['v=DMARC1; p=reject'],
      'strict.test': ['v=spf1 ip4:192.0.2.1 -all'],
    };
    const eg = await startGateway({}, { dns });
    const raw = Buffer.from(
      `From: Sig <sig@signed.test>\r\nTo: bob=gw.test@${MAIL}\r\nSubject: signed\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <s1@signed.test>\r\n\r\nsigned hello\r\n`,
    );
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const signed = await dkimSign(raw, {
      signatureData: [{ signingDomain: 'signed.test', selector: 'sel', privateKey: key }],
    } as Parameters<typeof dkimSign>[1]);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    await t.sendMail({
      envelope: { from: 'sig@signed.test', to: [`bob=gw.test@${MAIL}`] },
      raw: Buffer.concat([Buffer.from(signed.signatures), raw]),
    });
    expect(eg.bobGot).toHaveLength(1);
    expect(h(eg.bobGot[0]!.headers, 'Astrength')).toBe('medium');
    await expect(
      t.sendMail({
        envelope: { from: 'x@strict.test', to: [`bob=gw.test@${MAIL}`] },
        raw: `From: x@strict.test\r\nSubject: forged\r\n\r\nforged\r\n`,
      }),
    ).rejects.toMatchObject({ responseCode: 550 });
    t.close();
    expect(eg.bobGot).toHaveLength(1);
    expect(logged(eg.gw, 'mail refused').map((l) => l['reason'])).toEqual(['dmarc reject']);
  });

  it('the directory transport writes .eml files; mailboxes have no presence (never open)', async () => {
    const eg = await startGateway();
    const a = await alice(eg);
    const r = await sendText(a, 'im:alice@gw.test', DAVE_URI, 'to the file sink');
    expect(r.status).toBe('ok');
    expect(h(r.headers, 'Unreliable')).toBe(MAIL);
    const files = (await readdir(eg.outDir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(await readFile(join(eg.outDir, files[0]!), 'utf8')).toContain('to the file sink');
    const p = await eg.gw.client('bob', 'pitp');
    const f = await p.command('fetch', [
      ['Watcher', 'presence:bob@gw.test'],
      ['Presentity', DAVE_URI.replace(/^im:/, 'presence:')],
    ]);
    expect(f.status).toBe('error');
    expect(h(f.headers, 'Error-Type')).toBe('target-not-found');
  });
});
