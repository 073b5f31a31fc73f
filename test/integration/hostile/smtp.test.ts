/**
 * Hostile SMTP against the email adapter's listener of a real gateway process (issue 13), with
 * STARTTLS (a throwaway certificate) and AUTH configured. Each row is answered with the reply
 * code RFC 5321 (and RFC 4954, RFC 6531, RFC 3463) gives; after it a real SMTP transaction
 * (nodemailer, over STARTTLS) still reaches a hub listener as Message/CPIM within a second.
 * Header-size limits at DATA are tested with the email pipeline, not here.
 */
import { describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../../src/hub/frame/index.js';
import { useTestCerts } from '../../support/certs.js';
import { hubLogin, mailServed } from '../../support/hostile-clients.js';
import { HUB_DOMAIN, MAIL_DOMAIN, SMTP_USER } from '../../support/hostile-gateway.js';
import { useHostileGateway, type HostileArena } from '../../support/hostile.js';
import { sleep } from '../../support/net.js';

const certs = useTestCerts();
const arena = useHostileGateway(
  (gw) => mailServed(certs().ca.cert)(gw),
  () => ({ smtpTls: { cert: certs().server.certPath, key: certs().server.keyPath } }),
);

const EHLO = 'EHLO client.example.org\r\n';
const MAIL = 'MAIL FROM:<carol@example.org>\r\n';
const RCPT = `RCPT TO:<bob@${MAIL_DOMAIN}>\r\n`;

interface Dialog {
  /** Every reply line after the greeting, without EHLO's (250-… and 250 SIZE). */
  readonly replies: string[];
  readonly closed: boolean;
}

/** Writes the parts one after the other (a pause between), then reads for `ms` or until closed. */
async function smtp(a: HostileArena, parts: (string | Buffer)[], ms = 300): Promise<Dialog> {
  const peer = await a.raw(a.gw().ports.smtp);
  await peer.until((t) => t.startsWith('220 '));
  for (const p of parts) {
    if (peer.ended()) break;
    await peer.write(p);
    await sleep(30);
  }
  await peer.until(() => peer.ended(), ms);
  const lines = peer.text().split('\r\n').slice(1, -1);
  return {
    replies: lines.filter((l) => !l.startsWith('250-') && !/^250 SIZE/.test(l)),
    closed: peer.ended(),
  };
}

/** Bob listens on his hub inbox for the duration of `during`; resolves with what arrived. */
async function bobsInbox(a: HostileArena, during: () => Promise<unknown>, settleMs = 500): Promise<string[]> {
  const got: CommandFrame[] = [];
  const bob = await hubLogin(a.gw(), 'bob', 'imtp', (c) => {
    got.push(c);
    return { status: 'ok', headers: [] };
  });
  try {
    expect((await bob.command('listen', [['Inbox', `im:bob@${HUB_DOMAIN}`]])).status).toBe('ok');
    await during();
    await sleep(settleMs);
    return got.map((c) => Buffer.from(c.payload ?? []).toString('utf8'));
  } finally {
    await bob.close();
  }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

interface Row {
  readonly name: string;
  readonly spec: string;
  readonly parts: (string | Buffer)[];
  readonly ms?: number;
  /** The replies after EHLO, in order (each a regular expression), and whether the server closed. */
  readonly replies: RegExp[];
  readonly closed: boolean;
  /** A warn line the gateway writes for it. */
  readonly logged?: string;
}

const rows: Row[] = [
  {
    name: 'a 100 KB command line',
    spec: 'RFC 5321 4.5.3.1.4 (512 octets) / 3.8: 421 and close',
    parts: ['EHLO ' + 'a'.repeat(100 * 1024) + '\r\n'],
    replies: [/^421 /],
    closed: true,
  },
  {
    name: 'NUL bytes in EHLO',
    spec: 'RFC 5321 4.1.4: 501 syntax error in arguments',
    parts: ['EHLO a\0b\r\n'],
    replies: [/^501 /],
    closed: false,
  },
  {
    name: 'NUL bytes in MAIL FROM',
    spec: 'RFC 5321 4.1.4: 501',
    parts: [EHLO, 'MAIL FROM:<ca\0rol@example.org>\r\n'],
    replies: [/^501 /],
    closed: false,
  },
  {
    name: '8-bit bytes that are not UTF-8 in MAIL FROM',
    spec: 'RFC 5321 4.1.2 / RFC 3463 5.1.7: 501 5.1.7',
    parts: [EHLO, Buffer.from('MAIL FROM:<\xe9\xff@example.org>\r\n', 'latin1')],
    replies: [/^501 5\.1\.7 /],
    closed: false,
    logged: 'mail sender refused',
  },
  {
    name: 'UTF-8 in MAIL FROM without SMTPUTF8',
    spec: 'RFC 6531 3.4 / 3.7.4.1: 553 5.6.7',
    parts: [EHLO, 'MAIL FROM:<zoë@example.org>\r\n'],
    replies: [/^553 5\.6\.7 /],
    closed: false,
  },
  {
    name: 'UTF-8 in MAIL FROM with SMTPUTF8',
    spec: 'RFC 6531 3.4: accepted',
    parts: [EHLO, 'MAIL FROM:<zoë@example.org> SMTPUTF8\r\n'],
    replies: [/^250 /],
    closed: false,
  },
  {
    name: 'bare LF line endings in commands',
    spec: 'RFC 5321 2.3.8 (servers may be liberal in commands): answered as commands',
    parts: ['EHLO a\nMAIL FROM:<carol@example.org>\nRSET\n'],
    replies: [/^250 /, /^250 /],
    closed: false,
  },
  {
    name: 'DATA before MAIL and RCPT',
    spec: 'RFC 5321 4.1.4 / 4.3.2: 503 bad sequence',
    parts: [EHLO, 'DATA\r\n'],
    replies: [/^503 /],
    closed: false,
  },
  {
    name: 'RCPT before MAIL',
    spec: 'RFC 5321 4.1.4: 503 bad sequence',
    parts: [EHLO, RCPT],
    replies: [/^503 /],
    closed: false,
  },
  {
    name: 'pipelined garbage',
    spec: 'RFC 5321 4.2.4: 500 per line; then 421 and close (3.8)',
    parts: [EHLO + 'FROB NICATE\r\n'.repeat(30)],
    replies: [...Array.from({ length: 9 }, () => /^500 /), /^421 /],
    closed: true,
  },
  {
    name: 'garbage AUTH PLAIN base64',
    spec: 'RFC 4954 4: 501 for a response that cannot be decoded',
    parts: [EHLO, 'AUTH PLAIN !!!not*base64###\r\n'],
    replies: [/^501 /],
    closed: false,
  },
  {
    name: 'garbage AUTH LOGIN continuation',
    spec: 'RFC 4954 4: 501',
    parts: [EHLO, 'AUTH LOGIN\r\n', '%%%%\r\n'],
    replies: [/^334 /, /^501 /],
    closed: false,
  },
  {
    name: 'AUTH PLAIN with a wrong password',
    spec: 'RFC 4954 6: 535 5.7.8',
    parts: [EHLO, `AUTH PLAIN ${b64(`\0${SMTP_USER.user}\0wrong`)}\r\n`],
    replies: [/^535 5\.7\.8 /],
    closed: false,
    logged: 'authentication failed',
  },
  {
    name: 'a garbage STARTTLS handshake',
    spec: 'RFC 3207 4.1: 220, then the failed handshake closes the connection',
    parts: [EHLO, 'STARTTLS\r\n', 'this is no TLS ClientHello\r\n'.repeat(10)],
    replies: [/^220 /],
    closed: true,
    logged: 'smtp connection error',
  },
  {
    name: 'a TLS ClientHello on the plain port',
    spec: 'RFC 5321 4.5.3.2.7 / 3.8: no command line ever ends; 421 at inbound.socketTimeoutMs',
    parts: [Buffer.from('16030100a5010000a10303' + '5a'.repeat(200), 'hex')],
    ms: 4000,
    replies: [/^421 /],
    closed: true,
  },
  {
    name: 'an idle client',
    spec: 'RFC 5321 4.5.3.2.7 / 3.8: 421 at inbound.socketTimeoutMs (1500)',
    parts: [],
    ms: 4000,
    replies: [/^421 /],
    closed: true,
  },
];

describe('hostile SMTP on the email adapter listener', () => {
  for (const row of rows)
    it(`${row.name} → ${row.replies.map((r) => r.source.slice(1, 4)).join(' ')} (${row.spec})`, async () => {
      const d = await smtp(arena, row.parts, row.ms);
      const replies = d.replies;
      expect(replies.length, replies.join('\n')).toBe(row.replies.length);
      row.replies.forEach((r, i) => expect(replies[i], replies.join('\n')).toMatch(r));
      expect(d.closed).toBe(row.closed);
      if (row.logged !== undefined) {
        const line = await arena.waitForLog(row.logged);
        expect(line.level).toBe(40);
        expect(JSON.stringify(line)).not.toContain('"stack"');
      }
    });

  it('1,000 RCPT TO in one transaction → one 250, then 452 4.5.3 for each other (RFC 5321 4.5.3.1.10)', async () => {
    const d = await smtp(arena, [EHLO + MAIL + RCPT.repeat(1000)], 3000);
    const replies = d.replies.slice(1); // after MAIL's 250
    expect(replies[0]).toMatch(/^250 /);
    expect(replies.slice(1).filter((r) => /^452 4\.5\.3 /.test(r))).toHaveLength(999);
  });

  it('a connection closed in the middle of DATA delivers nothing (RFC 5321 4.1.1.4: only <CRLF>.<CRLF> ends it)', async () => {
    const got = await bobsInbox(arena, () =>
      smtp(arena, [EHLO, MAIL, RCPT, 'DATA\r\n', 'Subject: cut\r\n\r\ncut-in-the-middle'], 200),
    );
    expect(got.filter((p) => p.includes('cut-in-the-middle'))).toEqual([]);
  });

  it('a bare-LF dot inside DATA does not end the message (SMTP smuggling, RFC 5321 2.3.8 / 4.1.1.4)', async () => {
    const evil = `MAIL FROM:<evil@example.org>\r\n${RCPT}DATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n`;
    const got = await bobsInbox(arena, () =>
      smtp(arena, [EHLO, MAIL, RCPT, 'DATA\r\n', `Subject: one\r\n\r\nfirst\n.\n${evil}.\r\n`], 1500),
    );
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('first');
    expect(got[0]).toContain('evil@example.org');
  });
});
