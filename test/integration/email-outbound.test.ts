/**
 * The gateway's outbound mail, received by a real SMTP server (smtp-server) and once through
 * Debian's Postfix as a relay; a full round trip; a room with a list member; sender
 * authentication with DKIM and DMARC against a stub resolver; no presence for mailboxes. Replies,
 * edits, reactions, deletions, threads and attachments (issue 17): email-relations.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { buildCpim } from '../../src/index.js';
import { startPostfix, type Postfix } from '../support/email.js';
import { useMailSink } from '../support/mail-sink.js';
import { freePort } from '../support/net.js';
import { cpimOf, h, logged, MAIL, useEmailGateways } from '../support/email-gateway.js';
import { DAVE_URI, relayHelpers } from '../support/email-relay.js';
import { sendText } from '../support/hub-calls.js';

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
  const { relayGateway, alice } = relayHelpers(startGateway);

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
