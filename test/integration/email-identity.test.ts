/**
 * Issue 13, email identity: every domain the gateway serves is protected (its hub domains, every
 * adapter's, one registered later), and addresses are compared normalised (case, a trailing dot,
 * IDN, several From, Sender, groups, display names like addresses). Real SMTP: Debian's swaks
 * against the adapter's listener.
 */
import { describe, expect, it } from 'vitest';
import { replyTo, swaks } from '../support/email.js';
import { cpimOf, h, logged, MAIL, useEmailGateways, type EmailGateway } from '../support/email-gateway.js';

const BOB = `bob=gw.test@${MAIL}`;
/** A hub domain of the gateway that the email adapter's configuration never names. */
const BUECHER = 'xn--bcher-kva.test';

const AUTH = {
  inbound: {
    auth: {
      users: [{ user: 'alice', password: 's3cret', addresses: ['alice@gw.test', `alice@${BUECHER}`] }],
      allowInsecure: true,
    },
  },
};

/** swaks from `envelope` to bob, with these extra arguments; the reply to the end of DATA. */
async function mail(eg: EmailGateway, envelope: string, ...args: string[]): Promise<string | undefined> {
  const r = await swaks(['--server', `127.0.0.1:${eg.smtpPort}`, '--from', envelope, '--to', BOB, ...args]);
  return replyTo(r.output, /-> \.$/);
}

const asAlice = ['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 's3cret'];

describe('email identity: every served domain, addresses compared normalised (issue 13)', () => {
  const startGateway = useEmailGateways();

  it('refuses each spoof of a protected address with 550 5.7.1 and a warn line', async () => {
    const eg = await startGateway(AUTH, { domains: ['gw.test', BUECHER] });
    // A domain an adapter registers after start counts too: read at each mail.
    eg.gw.gateway.router.registerDomain(
      'late.test',
      { id: 'late', deliver: () => Promise.resolve({ status: 'ok', headers: [] }) },
      { presence: 'none' },
    );
    const dave = 'dave@elsewhere.test';
    const spoofs: [string, string, string[]][] = [
      ['case and a trailing dot', dave, ['--header', 'From: ALICE@GW.TEST.']],
      ['fullwidth letters in the domain', dave, ['--header', 'From: alice@ｇｗ.test']],
      ['a hub domain missing from the email config', dave, ['--header', `From: alice@${BUECHER}`]],
      ['that hub domain in Unicode', dave, ['--header', 'From: Alice <alice@bücher.test>']],
      ['that hub domain as the envelope sender', `alice@${BUECHER}`, ['--header', `From: ${dave}`]],
      [
        'the second of several From',
        dave,
        ['--header', `From: ${dave}, alice@gw.test`, '--header', `Sender: ${dave}`],
      ],
      ['the Sender', dave, ['--header', `From: ${dave}`, '--header', 'Sender: Alice@gw.test']],
      ['a group in From', dave, ['--header', 'From: friends: alice@gw.test;']],
      ['a domain registered after start', dave, ['--header', 'From: bob@late.test']],
      [
        'an authenticated user writing as another',
        'alice@gw.test',
        [...asAlice, '--header', 'From: bob@gw.test'],
      ],
    ];
    const replies: Record<string, string | undefined> = {};
    for (const [what, envelope, args] of spoofs)
      replies[what] = (await mail(eg, envelope, ...args))?.slice(0, 9);
    expect(replies).toEqual(Object.fromEntries(spoofs.map(([what]) => [what, '550 5.7.1'])));
    const warned = logged(eg.gw, 'mail refused');
    expect(warned.map((l) => [l['level'], l['reason'], l['ip']])).toEqual(
      spoofs.map(() => [40, 'local sender not authenticated', '127.0.0.1']),
    );
    expect(warned.map((l) => l['sender'])).toEqual([
      'ALICE@gw.test',
      'alice@gw.test',
      `alice@${BUECHER}`,
      `alice@${BUECHER}`,
      `alice@${BUECHER}`,
      'alice@gw.test',
      'Alice@gw.test',
      'alice@gw.test',
      'bob@late.test',
      'bob@gw.test',
    ]);
    expect(eg.bobGot).toHaveLength(0);
  });

  it('several From addresses and no Sender are refused: RFC 5322 3.6.2 requires the Sender', async () => {
    const eg = await startGateway();
    const r = await mail(
      eg,
      'dave@elsewhere.test',
      '--header',
      'From: dave@elsewhere.test, erin@elsewhere.test',
    );
    expect(r).toMatch(/^550 5\.7\.1 several From addresses need a Sender/);
    expect(logged(eg.gw, 'mail refused').map((l) => l['reason'])).toEqual([
      'several From addresses and no Sender',
    ]);
    // With a Sender, the Sender is the author shown.
    const ok = await mail(
      eg,
      'dave@elsewhere.test',
      '--header',
      'From: dave@elsewhere.test, erin@elsewhere.test',
      '--header',
      'Sender: erin@elsewhere.test',
    );
    expect(ok).toMatch(/^250 /);
    expect(h(eg.bobGot[0]!.headers, 'Sender')).toBe(`im:%22mailto=erin%40elsewhere.test%22@${MAIL}`);
  });

  it('the authenticated user goes through under any spelling of their address, to any spelling of ours', async () => {
    const eg = await startGateway(AUTH, { domains: ['gw.test', BUECHER] });
    const sent = [
      await mail(eg, 'Alice@GW.test', ...asAlice, '--header', 'From: Alice <ALICE@GW.TEST.>'),
      await mail(eg, `alice@${BUECHER}`, ...asAlice, '--header', 'From: alice@bücher.test'),
      await swaks([
        '--server',
        `127.0.0.1:${eg.smtpPort}`,
        '--from',
        'alice@gw.test',
        '--to',
        // Upper case and fullwidth letters: our domain still. (A trailing dot in RCPT never gets
        // this far: smtp-server answers it 501, a syntax error, neither foreign nor accepted.)
        'bob=GW.test@MAIL.ｇｗ.TEST',
        ...asAlice,
      ]).then((r) => replyTo(r.output, /-> \.$/)),
    ];
    expect(sent.map((r) => r?.slice(0, 3))).toEqual(['250', '250', '250']);
    // One chat identity for each configured address, whatever the spelling in the mail.
    expect(eg.bobGot.map((c) => [h(c.headers, 'Sender'), h(c.headers, 'Astrength')])).toEqual([
      [`im:%22mailto=alice%40gw.test%22@${MAIL}`, 'weak'],
      [`im:%22mailto=alice%40${BUECHER}%22@${MAIL}`, 'weak'],
      [`im:%22mailto=alice%40gw.test%22@${MAIL}`, 'weak'],
    ]);
    expect(logged(eg.gw, 'mail refused')).toHaveLength(0);
  });

  it.each([
    ['"alice@gw.test" <mallory@evil.example>', 'alice@gw.test'],
    ['alice@gw.test <mallory@evil.example>', 'alice@gw.test'],
    ['=?utf-8?q?alice=40gw.test?= <mallory@evil.example>', 'alice@gw.test'],
    ['=?utf-8?b?YWxpY2XvvKBndy50ZXN0?= <mallory@evil.example>', 'alice＠gw.test'],
  ])('From: %s: the author is the address; the name that looks like one is dropped', async (from, name) => {
    const eg = await startGateway();
    expect(await mail(eg, 'mallory@evil.example', '--header', `From: ${from}`)).toMatch(/^250 /);
    const c = eg.bobGot[0]!;
    const mallory = `im:%22mailto=mallory%40evil.example%22@${MAIL}`;
    expect(h(c.headers, 'Sender')).toBe(mallory);
    expect(cpimOf(c).message.semantics.from).toEqual({ formalName: null, uri: mallory });
    expect(logged(eg.gw, 'display name like an address dropped').map((l) => l['name'])).toEqual([name]);
  });

  it('an empty group in From (undisclosed-recipients:;): the Sender, else the envelope sender, is the author and is checked', async () => {
    const eg = await startGateway();
    const empty = ['--header', 'From: undisclosed-recipients:;'];
    const replies = [
      await mail(eg, 'dave@elsewhere.test', ...empty, '--header', 'Sender: alice@gw.test'),
      await mail(eg, 'alice@gw.test', ...empty),
      await mail(eg, 'dave@elsewhere.test', ...empty, '--header', 'Sender: erin@elsewhere.test'),
      await mail(eg, 'dave@elsewhere.test', ...empty),
    ];
    expect(replies.map((r) => r?.slice(0, 9))).toEqual(['550 5.7.1', '550 5.7.1', '250 2.0.0', '250 2.0.0']);
    expect(eg.bobGot.map((c) => h(c.headers, 'Sender'))).toEqual([
      `im:%22mailto=erin%40elsewhere.test%22@${MAIL}`,
      `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`,
    ]);
  });

  it('list subscribers are compared normalised: an IDN subscriber posts under the Unicode spelling', async () => {
    const eg = await startGateway(
      { lists: [{ name: 'dev', room: 'im:dev@gw.test', subscribers: ['erin@xn--bcher-kva.example'] }] },
      { rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: ['im:bob@gw.test', `im:dev@${MAIL}`] }] },
    );
    const post = (from: string) =>
      swaks(['--server', `127.0.0.1:${eg.smtpPort}`, '--from', from, '--to', `dev@${MAIL}`]).then((r) =>
        replyTo(r.output, /-> \.$/)?.slice(0, 9),
      );
    expect([await post('Erin@bücher.example'), await post('mallory@elsewhere.test')]).toEqual([
      '250 2.0.0',
      '550 5.7.1',
    ]);
    expect(eg.bobGot.map((c) => h(c.headers, 'Orig-Sender'))).toEqual([
      `im:%22mailto=Erin%40xn--bcher-kva.example%22@${MAIL}`,
    ]);
  });
});
