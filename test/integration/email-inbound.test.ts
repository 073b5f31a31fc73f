/** Real SMTP into the gateway (Debian's swaks, nodemailer): mail becomes chat, or the right refusal. */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyTo, swaks } from '../support/email.js';
import {
  cpimOf,
  h,
  logged,
  MAIL,
  startEmailGateway,
  useEmailGateways,
  type EmailGateway,
} from '../support/email-gateway.js';
import { makeTestCerts, type TestCerts } from '../support/certs.js';
import { ELF, PNG_1X1, pngOf } from '../support/files.js';
import { readMimeEntity } from '../../src/index.js';

const BOB = `bob=gw.test@${MAIL}`;
const FIXTURES = join(import.meta.dirname, '../fixtures/email');

/** swaks against the gateway's SMTP listener, from `from`. */
const mailFrom = (eg: { smtpPort: number }, from: string, ...args: string[]) =>
  swaks(['--server', `127.0.0.1:${eg.smtpPort}`, '--from', from, ...args]);

describe('email adapter, inbound', () => {
  const startGateway = useEmailGateways();

  it('swaks: a mail becomes a Message/CPIM send with Subject, threading and Astrength', async () => {
    const eg = await startGateway();
    const r = await mailFrom(
      eg,
      'dave@elsewhere.test',
      '--to',
      BOB,
      '--header',
      'Subject: lunch?',
      '--add-header',
      'Message-ID: <m1@elsewhere.test>',
      '--header',
      'From: Dave Smith <dave@elsewhere.test>',
      '--body',
      'Lunch at noon?',
    );
    expect(replyTo(r.output, /-> \.$/)).toMatch(/^250 /);
    expect(eg.bobGot).toHaveLength(1);
    const c = eg.bobGot[0]!;
    expect(h(c.headers, 'Sender')).toBe(`im:%22mailto=dave%40elsewhere.test%22@${MAIL}`);
    expect(h(c.headers, 'Astrength')).toBe('none');
    expect(h(c.headers, 'Content-Type')).toBe('message/cpim');
    const m = cpimOf(c);
    expect(m.message.semantics.from).toEqual({ formalName: 'Dave Smith', uri: h(c.headers, 'Sender') });
    expect(m.message.semantics.subjects[0]?.text).toBe('lunch?');
    expect(m.ext('Message-ID')).toBe('<m1@elsewhere.test>');
    expect(m.body.trim()).toBe('Lunch at noon?');
    expect(logged(eg.gw, 'mail delivered to chat')).toHaveLength(1);
  });

  it('refuses relaying, unknown mailboxes, oversized mail and a spoofed local From, each with a log line', async () => {
    const eg = await startGateway({ inbound: { maxMessageBytes: 4000 } });
    const base = ['--server', `127.0.0.1:${eg.smtpPort}`, '--from', 'dave@elsewhere.test'];
    const relay = await swaks([...base, '--to', 'someone@elsewhere.test']);
    expect(replyTo(relay.output, /RCPT TO/)).toMatch(/^550 5\.7\.1 relaying denied/);
    const hack = await swaks([...base, '--to', `"mailto=x@elsewhere.test"@${MAIL}`]);
    // smtp-server itself refuses the quoted local part (501); either way it is no relay.
    expect(replyTo(hack.output, /RCPT TO/)).toMatch(/^5\d\d /);
    const loopback = await swaks([...base, '--to', `x=${MAIL}@${MAIL}`]);
    expect(replyTo(loopback.output, /RCPT TO/)).toMatch(/^550 5\.7\.1/);
    expect(logged(eg.gw, 'relaying denied').length).toBeGreaterThanOrEqual(2);

    const big = await swaks([...base, '--to', BOB, '--body', 'x'.repeat(6000)]);
    expect(replyTo(big.output, /-> \.$/)).toMatch(/^552 /);
    expect(logged(eg.gw, 'mail over the size limit')).toHaveLength(1);

    const spoof = await mailFrom(eg, 'alice@gw.test', '--to', BOB, '--body', 'I am alice');
    expect(replyTo(spoof.output, /-> \.$/)).toMatch(/^550 5\.7\.1/);
    const spoofHeader = await swaks([
      ...base,
      '--to',
      BOB,
      '--header',
      `From: <alice=gw.test@${MAIL}>`,
      '--body',
      'x',
    ]);
    expect(replyTo(spoofHeader.output, /-> \.$/)).toMatch(/^550 5\.7\.1/);
    expect(logged(eg.gw, 'mail refused').map((l) => l['reason'])).toEqual([
      'local sender not authenticated',
      'local sender not authenticated',
    ]);
    // Nothing reached bob, and a good mail still goes through.
    expect(eg.bobGot).toHaveLength(0);
    const ok = await swaks([...base, '--to', BOB, '--body', 'still fine']);
    expect(replyTo(ok.output, /-> \.$/)).toMatch(/^250 /);
    expect(eg.bobGot).toHaveLength(1);
  });

  it('a flood from one sender gets 450 4.7.1 (the router per-sender rate) while another sender still gets through', async () => {
    const eg = await startGateway({ inbound: { rate: { burst: 3, perMinute: 1 } } });
    const send = (from: string) => mailFrom(eg, from, '--to', BOB, '--body', 'spam');
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await send('flood@elsewhere.test')).output);
    expect(codes.map((o) => replyTo(o, /-> \.$/)?.slice(0, 9))).toEqual([
      '250 2.0.0',
      '250 2.0.0',
      '250 2.0.0',
      '450 4.7.1',
      '450 4.7.1',
    ]);
    // One warn line per interval (limits.warnIntervalMs), not one per refusal.
    expect(logged(eg.gw, 'sender rate limit exceeded, answered quota')).toHaveLength(1);
    const other = await send('carol@elsewhere.test');
    expect(replyTo(other.output, /-> \.$/)).toMatch(/^250 /);
    expect(eg.bobGot).toHaveLength(4);
  });

  it('SMTP answers follow the IMTP answer: kept for an away user 250, target-not-found 550; one recipient per transaction', async () => {
    const eg = await startGateway({}, { bobListens: false });
    const base = ['--server', `127.0.0.1:${eg.smtpPort}`, '--from', 'dave@elsewhere.test'];
    // Issue 15: bob is away, so the message is kept for him (ok + Stored: offline).
    const away = await swaks([...base, '--to', BOB]);
    expect(replyTo(away.output, /-> \.$/)).toMatch(/^250 /);
    expect(await eg.gw.gateway.store!.countOffline('im:bob@gw.test')).toBe(1);
    const nowhere = await swaks([...base, '--to', `x=nowhere.test@${MAIL}`]);
    expect(replyTo(nowhere.output, /-> \.$/)).toMatch(/^550 5\.1\.1 target-not-found/);
    const two = await swaks([...base, '--to', `${BOB},carol=gw.test@${MAIL}`]);
    expect(two.output).toMatch(/<\*\* +452 4\.5\.3/);
  });

  it('an unknown local user is refused at RCPT with 550 5.1.1; a known user with no listener gets it kept', async () => {
    const eg = await startGateway({}, { bobListens: false });
    const base = ['--server', `127.0.0.1:${eg.smtpPort}`, '--from', 'dave@elsewhere.test'];
    // Both spellings of im:nobody@gw.test: the bare local part (localDomain) and name=domain.
    for (const rcpt of [`nobody@${MAIL}`, `nobody=gw.test@${MAIL}`]) {
      const r = await swaks([...base, '--to', rcpt]);
      expect(replyTo(r.output, /RCPT TO/), rcpt).toMatch(/^550 5\.1\.1 /);
    }
    expect(logged(eg.gw, 'unknown recipient').map((l) => l['rcpt'])).toEqual([
      `nobody@${MAIL}`,
      `nobody=gw.test@${MAIL}`,
    ]);
    // bob has an account and may listen: offline now, so the gateway keeps it for him (issue 15).
    const away = await swaks([...base, '--to', `bob@${MAIL}`]);
    expect(replyTo(away.output, /RCPT TO/)).toMatch(/^250 /);
    expect(replyTo(away.output, /-> \.$/)).toMatch(/^250 /);
  });

  it('unparseable MIME is refused with 554 5.6.0 and one warn line, no stack trace', async () => {
    const eg = await startGateway();
    // More parts than the MIME parser takes (mailsplit's child-node limit): it cannot be read.
    const parts = Array.from({ length: 1100 }, () => '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n');
    const file = join(eg.outDir, 'too-many-parts.eml');
    await writeFile(
      file,
      'From: dave@elsewhere.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' +
        parts.join('') +
        '--b--\r\n',
    );
    const bad = await mailFrom(eg, 'dave@elsewhere.test', '--to', BOB, '--data', file);
    expect(replyTo(bad.output, /-> \.$/)).toMatch(/^554 5\.6\.0 cannot parse the message: /);
    const warned = eg.gw.logs().filter((l) => l['level'] === 40);
    expect(warned.map((l) => [l['msg'], l['reason'], l['code']])).toEqual([
      ['mail refused', 'unparseable MIME', 554],
    ]);
    expect(JSON.stringify(eg.gw.logs())).not.toContain('"stack"');
    expect(eg.bobGot).toHaveLength(0);
  });

  it('nodemailer over STARTTLS with SMTP AUTH may speak for a local address (Astrength medium)', async () => {
    const certs: TestCerts = await makeTestCerts();
    try {
      const eg = await startGateway({
        inbound: {
          tls: { cert: certs.server.certPath, key: certs.server.keyPath },
          auth: { users: [{ user: 'alice', password: 's3cret', addresses: ['alice@gw.test'] }] },
        },
      });
      const t = nodemailer.createTransport({
        host: '127.0.0.1',
        port: eg.smtpPort,
        tls: { ca: certs.ca.cert, servername: 'localhost' },
        auth: { user: 'alice', pass: 's3cret' },
      });
      const info = await t.sendMail({
        from: 'Alice <alice@gw.test>',
        to: BOB,
        subject: 'hi',
        text: 'from my mail client',
      });
      expect(info.response).toMatch(/^250 /);
      t.close();
      expect(eg.bobGot).toHaveLength(1);
      expect(h(eg.bobGot[0]!.headers, 'Astrength')).toBe('medium');
      expect(cpimOf(eg.bobGot[0]!).body.trim()).toBe('from my mail client');
      const bad = nodemailer.createTransport({
        host: '127.0.0.1',
        port: eg.smtpPort,
        tls: { ca: certs.ca.cert, servername: 'localhost' },
        auth: { user: 'alice', pass: 'wrong' },
      });
      await expect(bad.sendMail({ from: 'alice@gw.test', to: BOB, text: 'x' })).rejects.toMatchObject({
        responseCode: 535,
      });
      bad.close();
    } finally {
      await certs.cleanup();
    }
  });
});

describe('email adapter, inbound attachments and the file store (issue 17, docs/files.md)', () => {
  const startGateway = useEmailGateways();

  it('keeps a large attachment as a link, a small one inside; a too-large or forbidden file becomes a note and the mail still arrives', async () => {
    const eg = await startGateway({}, { files: { inlineMaxBytes: 10_000, maxBytes: 100_000 } });
    const big = pngOf(40_000);
    const evil = Buffer.concat([ELF, Buffer.alloc(20_000)]);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort, ignoreTLS: true });
    const info = await t.sendMail({
      from: 'Dave <dave@elsewhere.test>',
      to: BOB,
      subject: 'pictures',
      text: 'see attached',
      attachments: [
        { filename: 'small.png', content: PNG_1X1, contentType: 'image/png' },
        { filename: 'big.png', content: big, contentType: 'image/png' },
        { filename: 'huge.png', content: pngOf(120_000), contentType: 'image/png' },
        { filename: 'cute.png', content: evil, contentType: 'image/png' },
      ],
    });
    expect(info.response).toMatch(/^250 /);
    const next = await t.sendMail({
      from: 'dave@elsewhere.test',
      to: BOB,
      subject: 'next',
      text: 'still here',
    });
    expect(next.response).toMatch(/^250 /);
    t.close();
    expect(eg.bobGot).toHaveLength(2);
    const m = cpimOf(eg.bobGot[0]!);
    expect(m.contentType).toMatch(/^multipart\/mixed/);
    const e = await readMimeEntity(m.contentType!, undefined, m.message.body);
    expect(e.text).toBe(
      'see attached\n\n' +
        '[attachment "huge.png" not forwarded: the file is 120000 octets, over the limit of 100000]\n\n' +
        '[attachment "cute.png" not forwarded: files of type application/x-elf are not accepted]',
    );
    expect(e.attachments.map((a) => [a.filename, a.type, a.octets, a.url === undefined])).toEqual([
      ['small.png', 'image/png', PNG_1X1.length, true],
      ['big.png', 'image/png', big.length, false],
    ]);
    expect(Buffer.from(e.attachments[0]!.content)).toEqual(PNG_1X1);
    const got = await fetch(e.attachments[1]!.url!);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(big);
    expect(cpimOf(eg.bobGot[1]!).body.trim()).toBe('still here');
  });
});

describe('email adapter, the fixture mails', () => {
  let eg: EmailGateway;
  beforeAll(async () => {
    eg = await startEmailGateway({ inbound: { rate: { burst: 100, perMinute: 100 } } });
  });
  afterAll(() => eg.stop());

  it('every real message becomes a chat message; the delivery-status report does not', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.eml')).sort();
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: eg.smtpPort });
    const seen: Record<string, { code: string; body?: string; contentType?: string | undefined }> = {};
    for (const f of files) {
      const before = eg.bobGot.length;
      const raw = await readFile(join(FIXTURES, f));
      const info = await t.sendMail({ envelope: { from: 'fixtures@elsewhere.test', to: [BOB] }, raw });
      const got = eg.bobGot.slice(before);
      const m = got[0] ? cpimOf(got[0]) : undefined;
      seen[f] = {
        code: info.response.slice(0, 3),
        ...(m ? { body: m.body, contentType: m.contentType } : {}),
      };
    }
    t.close();
    expect(Object.values(seen).every((s) => s.code === '250')).toBe(true);
    expect(seen['delivery-status.eml']!.body).toBeUndefined();
    for (const f of files.filter((x) => x !== 'delivery-status.eml')) expect(seen[f]!.body, f).toBeDefined();
    expect(seen['simple.eml']!.body?.trim()).toBe('Hello world!');
    expect(seen['nested.eml']!.body).toContain('Good evening.');
    expect(seen['mixed.eml']!.body).toContain('This e-mail message has been scanned');
    // An image-only mail: the image travels as a part of the encapsulated entity.
    expect(seen['base64encodedroot.eml']!.contentType).toMatch(/^multipart\/mixed/);
    expect(seen['base64encodedroot.eml']!.body).toContain('filename="screenshot.png"');
    expect(logged(eg.gw, 'mail not turned into chat').map((l) => l['kind'])).toEqual(['report']);
  });

  it('auto-replies and the gateway’s own mail coming back are dropped, with 250', async () => {
    const before = eg.bobGot.length;
    const base = ['--server', `127.0.0.1:${eg.smtpPort}`, '--from', 'dave@elsewhere.test', '--to', BOB];
    const auto = await swaks([
      ...base,
      '--add-header',
      'Auto-Submitted: auto-replied',
      '--body',
      'I am away',
    ]);
    expect(replyTo(auto.output, /-> \.$/)).toMatch(/^250 /);
    const loop = await swaks([...base, '--add-header', `X-Loop: ${MAIL}`, '--body', 'reflected']);
    expect(replyTo(loop.output, /-> \.$/)).toMatch(/^250 /);
    const bounce = await mailFrom(eg, '<>', '--to', BOB, '--body', 'bounce');
    expect(replyTo(bounce.output, /-> \.$/)).toMatch(/^250 /);
    expect(eg.bobGot.length).toBe(before);
  });
});
