import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { authorOf } from './inbound-pipeline.js';
import { isRefusal, looksLikeAddress, selectAuthor } from './mail-author.js';

/** The author of a mail with these header lines, as the pipeline reads it (real mailparser). */
async function author(headers: string, envelope = 'env@elsewhere.test') {
  const mail = await simpleParser(Buffer.from(`${headers}\r\nTo: x@mail.test\r\n\r\nhi\r\n`));
  return authorOf(mail, envelope);
}

function ok(r: Awaited<ReturnType<typeof author>>) {
  if (isRefusal(r)) throw new Error(`refused: ${r.reason}`);
  return { author: r.mailbox.key, name: r.name, dropped: r.droppedName, claims: r.claims.map((c) => c.key) };
}

describe('selectAuthor (RFC 5322 3.6.2)', () => {
  it.each([
    // [header lines, author, claims]
    [
      'From: Dave <dave@elsewhere.test>',
      'dave@elsewhere.test',
      ['dave@elsewhere.test', 'env@elsewhere.test'],
    ],
    ['From: ALICE@GW.TEST.', 'alice@gw.test', ['alice@gw.test', 'env@elsewhere.test']],
    [
      'From: alice@bücher.test',
      'alice@xn--bcher-kva.test',
      ['alice@xn--bcher-kva.test', 'env@elsewhere.test'],
    ],
    [
      'From: dave@elsewhere.test\r\nSender: alice@gw.test',
      'dave@elsewhere.test',
      ['dave@elsewhere.test', 'alice@gw.test', 'env@elsewhere.test'],
    ],
    [
      'From: dave@elsewhere.test, alice@gw.test\r\nSender: erin@elsewhere.test',
      'erin@elsewhere.test',
      ['dave@elsewhere.test', 'alice@gw.test', 'erin@elsewhere.test', 'env@elsewhere.test'],
    ],
    [
      'From: friends: alice@gw.test, dave@elsewhere.test;\r\nSender: dave@elsewhere.test',
      'dave@elsewhere.test',
      ['alice@gw.test', 'dave@elsewhere.test', 'dave@elsewhere.test', 'env@elsewhere.test'],
    ],
    ['From: undisclosed-recipients:;', 'env@elsewhere.test', ['env@elsewhere.test']],
    ['Subject: no From at all', 'env@elsewhere.test', ['env@elsewhere.test']],
    ['From: =?utf-8?q?alice=40gw.test?=', 'env@elsewhere.test', ['env@elsewhere.test']],
  ])('%j: the author is %s and every address is a claim', async (headers, who, claims) => {
    const r = ok(await author(headers));
    expect(r.author).toBe(who);
    expect(r.claims).toEqual(claims);
  });

  it('a null envelope sender <> is no claim', async () => {
    expect(ok(await author('From: dave@elsewhere.test', '')).claims).toEqual(['dave@elsewhere.test']);
  });

  it.each([
    ['"alice@gw.test" <mallory@evil.example>', 'alice@gw.test'],
    ['alice@gw.test <mallory@evil.example>', 'alice@gw.test'],
    ['=?utf-8?q?alice=40gw.test?= <mallory@evil.example>', 'alice@gw.test'],
    ['=?utf-8?b?YWxpY2XvvKBndy50ZXN0?= <mallory@evil.example>', 'alice＠gw.test'],
    ['alice\uFE6Bgw.test <mallory@evil.example>', 'alice\uFE6Bgw.test'],
    ['mallory@evil.example (alice@gw.test)', 'alice@gw.test'],
    ['"im:alice" <mallory@evil.example>', 'im:alice'],
  ])('%s: the author is the address, the look-alike display name is dropped', async (from, dropped) => {
    const r = ok(await author(`From: ${from}`));
    expect(r.author).toBe('mallory@evil.example');
    expect(r.name).toBeUndefined();
    expect(r.dropped).toBe(dropped);
  });

  it('an ordinary display name is kept', async () => {
    expect(ok(await author('From: "Dave Smith" <dave@elsewhere.test>')).name).toBe('Dave Smith');
    expect(looksLikeAddress('Dave Smith')).toBe(false);
  });

  it.each([
    ['From: dave@elsewhere.test, alice@gw.test', '5.7.1', 'several From addresses and no Sender'],
    ['From: dave@elsewhere.test\r\nFrom: alice@gw.test', '5.7.1', 'repeated From or Sender field'],
    [
      'From: dave@elsewhere.test\r\nSender: a@x.test\r\nSender: b@x.test',
      '5.7.1',
      'repeated From or Sender field',
    ],
    ['From: dave@elsewhere.test\r\nSender: a@x.test, b@x.test', '5.7.1', 'several Sender addresses'],
    ['From: alice@gw.test@evil.example', '5.1.7', 'invalid From address'],
    ['From: "alice@gw.test"@evil.example', '5.1.7', 'invalid From address'],
    ['From: alice@gw..test', '5.1.7', 'invalid From address'],
    ['From: d@elsewhere.test\r\nSender: alice＠gw.test@evil.example', '5.1.7', 'invalid Sender address'],
  ])('%j is refused (%s, %s)', async (headers, status, reason) => {
    const r = await author(headers);
    expect(isRefusal(r) && [r.code, r.status, r.reason]).toEqual([550, status, reason]);
  });

  it('no From and no envelope sender is refused', () => {
    const r = selectAuthor({ from: [], sender: [], fromFields: 0, senderFields: 0, envelopeFrom: '' });
    expect(isRefusal(r) && r.status).toBe('5.1.7');
  });
});
