import { describe, expect, it } from 'vitest';
import { makeAddress, parseCpim, parseImUri } from '../../src/index.js';
import {
  identityToMailbox,
  mailboxToIdentity,
  resolveOutbound,
  resolveRecipient,
  type MappingConfig,
} from './addresses.js';
import { classifyMail } from './classify.js';
import { stripReply } from './reply-text.js';
import { strengthOf } from './sender-auth.js';
import { answerForFailure, replyForAnswer } from './smtp-codes.js';
import { composeMail, MAIL_NS, mailToCpim, readImPayload, textToHtml } from './translate.js';
import { errorAnswer, okAnswer } from '../../src/index.js';

const cfg: MappingConfig = {
  domain: 'mail.example.org',
  localDomain: 'example.org',
  aliases: { support: 'im:helpdesk@example.org' },
  lists: [{ name: 'dev', room: 'im:dev@example.org', subscribers: ['a@x.test'], open: false }],
};
const dave = mailboxToIdentity('dave@Elsewhere.NET', cfg.domain);

describe('addresses', () => {
  it('maps an outside mailbox to the RFC 3860 App. B form and back', () => {
    expect(dave.uri).toBe('im:%22mailto=dave%40elsewhere.net%22@mail.example.org');
    expect(identityToMailbox(dave, cfg)).toBe('dave@elsewhere.net');
    expect(resolveOutbound(dave, cfg)).toEqual({ kind: 'mailbox', to: 'dave@elsewhere.net' });
  });
  it('gives IM identities a reversible mailbox', () => {
    const alice = parseImUri('im:alice@example.org');
    expect(identityToMailbox(alice, cfg)).toBe('alice=example.org@mail.example.org');
    const r = resolveRecipient('alice=example.org@mail.example.org', cfg);
    expect(r).toMatchObject({ kind: 'inbox', inbox: { uri: 'im:alice@example.org' } });
    expect(identityToMailbox(makeAddress('im', '#dev', 'irc.example.org'), cfg)).toBe(
      '#dev=irc.example.org@mail.example.org',
    );
  });
  it('resolves lists, aliases and bare names; refuses relaying', () => {
    expect(resolveRecipient('dev@mail.example.org', cfg)).toMatchObject({ kind: 'list' });
    expect(resolveRecipient('Support@MAIL.example.org', cfg)).toMatchObject({
      inbox: { uri: 'im:helpdesk@example.org' },
    });
    expect(resolveRecipient('bob@mail.example.org', cfg)).toMatchObject({
      inbox: { uri: 'im:bob@example.org' },
    });
    expect(resolveRecipient('bob@elsewhere.net', cfg)).toBe('foreign-domain');
    expect(resolveRecipient('"mailto=x@y.net"@mail.example.org', cfg)).toBe('relay');
    expect(resolveRecipient('x=mail.example.org@mail.example.org', cfg)).toBe('relay');
    expect(resolveRecipient('bob@mail.example.org', { ...cfg, localDomain: undefined })).toBe('unknown');
  });
});

describe('stripReply', () => {
  it('keeps only the new text of a top-posted reply', () => {
    const t =
      'Sounds good.\r\n\r\nOn Mon, 3 Jun 2024 at 10:00, Bob <b@x> wrote:\r\n> Lunch?\r\n> -- \r\n> Bob\r\n';
    expect(stripReply(t)).toBe('Sounds good.');
  });
  it('keeps interleaved answers and drops the signature', () => {
    const t = '> Lunch?\nYes.\n> Where?\nThe usual place.\n\n-- \nDave\nACME Inc.';
    expect(stripReply(t)).toBe('Yes.\nThe usual place.');
  });
  it('cuts Outlook originals and two-line attributions', () => {
    expect(stripReply('ok\n\n-----Original Message-----\nFrom: x\nSent: y\nTo: z\n')).toBe('ok');
    expect(stripReply('fine\n\nFrom: Bob\nSent: Monday\nTo: Dave\nSubject: hi\n\nold')).toBe('fine');
    expect(stripReply('sure\nOn Mon, 3 Jun 2024, Bob Example <b@x.test>\nwrote:\n> hi')).toBe('sure');
  });
});

describe('classifyMail', () => {
  const facts = (headers: Record<string, string>, envelopeFrom = 'd@x.test', received = 1) => ({
    envelopeFrom,
    header: (n: string) => headers[n],
    count: (n: string) => (n === 'received' ? received : headers[n] ? 1 : 0),
    ownDomain: 'mail.example.org',
    maxReceived: 30,
  });
  it('recognizes reports, auto-replies and loops', () => {
    expect(
      classifyMail(facts({ 'content-type': 'multipart/report; report-type=delivery-status' })).kind,
    ).toBe('report');
    expect(classifyMail(facts({}, '')).kind).toBe('report');
    expect(classifyMail(facts({ 'auto-submitted': 'auto-replied' })).kind).toBe('auto-reply');
    expect(classifyMail(facts({ 'auto-submitted': 'no' })).kind).toBe('message');
    expect(classifyMail(facts({ precedence: 'bulk' })).kind).toBe('auto-reply');
    expect(classifyMail(facts({ subject: 'Out of Office: away' })).kind).toBe('auto-reply');
    expect(classifyMail(facts({ 'x-loop': 'mail.example.org' })).kind).toBe('loop');
    expect(classifyMail(facts({}, 'd@x.test', 31)).kind).toBe('too-many-hops');
    expect(classifyMail(facts({ precedence: 'list', subject: 'Re: hi' })).kind).toBe('message');
  });
});

describe('mailToCpim', () => {
  const base = {
    from: dave,
    to: parseImUri('im:bob@example.org'),
    now: new Date('2024-06-03T10:00:00Z'),
    boundary: 'b0',
  };
  it('writes Subject, DateTime and the threading headers under a declared NS', () => {
    const { payload } = mailToCpim(
      {
        fromName: 'Dave',
        subject: ' Re: lunch ',
        date: new Date('2024-06-03T09:00:00Z'),
        threading: { messageId: '<m2@x>', inReplyTo: '<m1@x>', references: ['<m0@x>', '<m1@x>'] },
        text: 'yes\nplease',
        attachments: [],
      },
      { ...base, maxAttachmentBytes: 100 },
    );
    const r = parseCpim(payload, { startsWith: 'cpim-headers' });
    expect(r.result).toBe('accept');
    if (r.result === 'reject') return;
    const s = r.message.semantics;
    expect(s.from).toEqual({ formalName: 'Dave', uri: dave.uri });
    expect(s.subjects[0]?.text).toBe('Re: lunch');
    expect(s.datetime).toBe('2024-06-03T09:00:00Z');
    expect(s.extensionHeaders).toEqual([
      { namespace: MAIL_NS, name: 'Message-ID', value: '<m2@x>' },
      { namespace: MAIL_NS, name: 'In-Reply-To', value: '<m1@x>' },
      { namespace: MAIL_NS, name: 'References', value: '<m0@x> <m1@x>' },
    ]);
    expect(Buffer.from(r.message.body).toString()).toBe('yes\r\nplease');
  });
  it('carries small attachments as parts and names the ones over the cap', () => {
    const small = { filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('hello') };
    const big = { filename: 'big.bin', contentType: 'application/octet-stream', content: Buffer.alloc(5000) };
    const { payload, dropped } = mailToCpim(
      { threading: { references: [] }, text: 'see attached', attachments: [small, big] },
      { ...base, maxAttachmentBytes: 1000 },
    );
    expect(dropped).toEqual([{ filename: 'big.bin', size: 5000 }]);
    const text = payload.toString();
    expect(text).toContain('Content-Type: multipart/mixed; boundary="b0"');
    expect(text).toContain('filename="a.txt"');
    expect(text).toContain(Buffer.from('hello').toString('base64'));
    expect(text).toContain('[attachment "big.bin" (5 KB) not forwarded');
  });
});

describe('IM to mail', () => {
  it('reads Message/CPIM with threading, and bare text', () => {
    const { payload } = mailToCpim(
      {
        fromName: 'Alice',
        subject: 'Hi',
        threading: { messageId: '<a@x>', references: [] },
        text: 'hey',
        attachments: [],
      },
      {
        from: parseImUri('im:alice@example.org'),
        to: dave,
        now: new Date(),
        boundary: 'b',
        maxAttachmentBytes: 0,
      },
    );
    const p = readImPayload(payload, 'message/cpim');
    expect(p).toMatchObject({
      fromName: 'Alice',
      subject: 'Hi',
      threading: { messageId: '<a@x>', references: [] },
    });
    expect(p!.entity.toString()).toBe('Content-Type: text/plain; charset=UTF-8\r\n\r\nhey');
    expect(readImPayload(Buffer.from('x'), undefined)!.entity.toString()).toBe(
      'Content-Type: text/plain; charset=UTF-8\r\n\r\nx',
    );
    expect(readImPayload(Buffer.from('garbage'), 'message/cpim')).toBeNull();
  });
  it('composes From with who and where, Reply-To back to the sender, threading and alternatives', () => {
    const alice = parseImUri('im:alice@example.org');
    const m = composeMail({
      sender: alice,
      author: alice,
      parts: { fromName: 'Alice', threading: { inReplyTo: '<m1@x>', references: ['<m0@x>'] } },
      text: 'see https://x.test/a',
      to: ['dave@elsewhere.net'],
      messageId: '<g1@mail.example.org>',
      cfg,
    });
    expect(m.from).toEqual({ name: 'Alice (IM example.org)', address: 'alice=example.org@mail.example.org' });
    expect(m.replyTo).toBe('alice=example.org@mail.example.org');
    expect(m.inReplyTo).toBe('<m1@x>');
    expect(m.references).toEqual(['<m0@x>', '<m1@x>']);
    expect(m.text).toMatch(/^see https:\/\/x\.test\/a\r\n\r\n-- \r\n/);
    expect(m.html).toContain('<a href="https://x.test/a">');
    expect(m.headers['X-Loop']).toBe('mail.example.org');
    const room = parseImUri('im:dev@example.org');
    const list = composeMail({
      sender: room,
      author: alice,
      parts: { threading: { references: [] } },
      text: 'x',
      to: ['a@x.test'],
      list: cfg.lists[0],
      messageId: '<g2@m>',
      cfg,
    });
    expect(list.from.name).toBe('alice in dev (IM example.org)');
    expect(list.replyTo).toBe('dev@mail.example.org');
    expect(list.headers['List-Id']).toBe('<dev.mail.example.org>');
    expect(textToHtml('<b>&\n')).toBe('&lt;b&gt;&amp;<br>\n');
  });
});

describe('SMTP codes and Astrength', () => {
  it('maps IMTP answers to SMTP replies', () => {
    expect(replyForAnswer(okAnswer()).code).toBe(250);
    expect(replyForAnswer(errorAnswer('target-not-found')).code).toBe(550);
    expect(replyForAnswer(errorAnswer('communications')).code).toBe(451);
    expect(replyForAnswer(errorAnswer('resources')).code).toBe(451);
    expect(replyForAnswer(errorAnswer('no-listeners')).code).toBe(450);
    expect(replyForAnswer(errorAnswer('loop')).code).toBe(554);
  });
  it('maps relay outcomes to IMTP answers', () => {
    const t = (f: Parameters<typeof answerForFailure>[0]) => answerForFailure(f).headers[0]![1];
    expect(t({ responseCode: 550, code: 'EENVELOPE', message: '', response: '550 5.1.1 unknown' })).toBe(
      'target-not-found',
    );
    expect(t({ responseCode: 554, message: '', response: '554 5.7.1 spam' })).toBe('target-authorization');
    expect(t({ responseCode: 552, message: '', response: '552 5.3.4 too big' })).toBe('quota');
    expect(t({ responseCode: 451, message: 'later' })).toBe('communications');
    expect(t({ code: 'ECONNECTION', message: 'refused' })).toBe('communications');
  });
  it('rates sender authentication on the draft §11.4 scale', () => {
    const f = { smtpAuth: false, tls: false, dmarc: 'none', alignedDkim: false, alignedSpf: false };
    expect(strengthOf(f)).toBe('none');
    expect(strengthOf({ ...f, smtpAuth: true, tls: true })).toBe('medium');
    expect(strengthOf({ ...f, smtpAuth: true })).toBe('weak');
    expect(strengthOf({ ...f, dmarc: 'pass', alignedDkim: true })).toBe('medium');
    expect(strengthOf({ ...f, dmarc: 'pass', alignedSpf: true })).toBe('weak');
    expect(strengthOf({ ...f, dmarc: 'fail', alignedDkim: true })).toBe('none');
  });
});
