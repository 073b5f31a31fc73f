/**
 * The mail queue kept in the store (issue 15; docs/adapters/email.md "Queued messages and
 * restarts") against real SMTP servers: while the relay refuses with 451 or does not listen,
 * sends are answered `ok` + `Stored: queued`; once it takes mail again each arrives once, in
 * order; a 550 is reported to the sender; a gateway stopped with mail queued sends it after a
 * restart on the same SQLite file; a Message-ID already queued is not queued twice; a report to
 * a mailbox is an RFC 3464 bounce.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailAdapterDefinition } from '../../adapters/email/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { parseCpim } from '../../src/index.js';
import { stubResolver } from '../support/email.js';
import { startTestGateway } from '../support/gateway.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import { useMailSink } from '../support/mail-sink.js';
import { freePort, sleep, waitFor } from '../support/net.js';
import { stopAfterEach } from '../support/stop-after.js';

const MAIL = 'mail.gw.test';
const mailbox = (local: string) => `im:%22mailto=${local}%40elsewhere.test%22@${MAIL}`;
const DAVE = mailbox('dave');
/** Retries come quickly in tests. */
const FAST = { retryMinMs: 100, retryMaxMs: 300 };

describe('email adapter, the mail queue kept in the store', () => {
  const smtp = useMailSink();
  const dirs: string[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const start = stopAfterEach(
    (relayPort: number, o: { queue?: Record<string, unknown>; storage?: Record<string, unknown> } = {}) =>
      startTestGateway({
        adapterDefinitions: [
          createEmailAdapterDefinition({ resolver: stubResolver({}) }) as AdapterDefinition<never>,
        ],
        config: {
          hub: {
            imtp: { host: '127.0.0.1', port: 0 },
            pitp: { host: '127.0.0.1', port: 0 },
            sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
            accounts: ['alice', 'postmaster'].map((u) => ({
              user: u,
              password: u,
              identities: [`im:${u}@gw.test`],
            })),
          },
          adapters: [
            {
              type: 'email',
              id: 'email',
              domain: MAIL,
              localDomain: 'gw.test',
              senderAuth: { enabled: false },
              inbound: { enabled: false },
              outbound: {
                transport: 'smtp',
                host: '127.0.0.1',
                port: relayPort,
                timeoutMs: 3000,
                queue: { ...FAST, ...o.queue },
              },
            },
          ],
          ...(o.storage ? { storage: o.storage } : {}),
        },
      }),
  );
  const texts = (n: number) => Array.from({ length: n }, (_, i) => `mail ${i + 1}`);
  const bodies = () => smtp.sink.mails.map((m) => (m.parsed.text ?? '').split('\n')[0]!.trim());

  it('relay answering 451: sends are answered ok + queued, and each arrives once, in order, when it takes mail again', async () => {
    smtp.refuse(() => ({ code: 451, text: '4.3.0 try again later' }));
    const gw = await start(smtp.sink.port);
    const alice = await gw.client('alice');
    const answers = [];
    for (const t of texts(3)) answers.push(await sendText(alice, 'im:alice@gw.test', DAVE, t));
    expect(answers.map((a) => [a.status, h(a.headers, 'Stored'), h(a.headers, 'Unreliable')])).toEqual(
      texts(3).map(() => ['ok', 'queued', MAIL]),
    );
    await sleep(300);
    expect(smtp.sink.mails).toHaveLength(0);
    smtp.refuse(() => null);
    await smtp.sink.waitFor(3, 10_000);
    await sleep(500);
    expect(bodies()).toEqual(texts(3));
    expect(smtp.sink.mails.every((m) => m.rcptTo.join() === 'dave@elsewhere.test')).toBe(true);
  });

  it('relay not listening: sends are queued, and delivered once it listens', async () => {
    const port = await freePort();
    const gw = await start(port);
    const alice = await gw.client('alice');
    for (const t of texts(2)) {
      const a = await sendText(alice, 'im:alice@gw.test', DAVE, t);
      expect([a.status, h(a.headers, 'Stored')]).toEqual(['ok', 'queued']);
    }
    // The relay comes up on that port (a TCP relay to the recording sink).
    const relay = createServer((s) => s.pipe(connect(smtp.sink.port, '127.0.0.1')).pipe(s));
    servers.push(relay);
    await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
    await smtp.sink.waitFor(2, 10_000);
    await sleep(500);
    expect(bodies()).toEqual(texts(2));
  });

  it('a queued mail the relay then refuses with 550 is reported to its sender', async () => {
    smtp.refuse(() => ({ code: 451, text: '4.3.0 try again later' }));
    const gw = await start(smtp.sink.port);
    const aliceGot = await listenAs(gw, 'alice');
    const alice = await gw.client('alice');
    const a = await sendText(alice, 'im:alice@gw.test', mailbox('nobody'), 'hello?', [
      ['Message-ID', 'q-550'],
    ]);
    expect([a.status, h(a.headers, 'Stored')]).toEqual(['ok', 'queued']);
    smtp.refuse(() => ({ code: 550, text: '5.1.1 no such user' }));
    const report = await waitFor(() => aliceGot[0], 10_000, 'the report');
    expect(h(report.headers, 'Sender')).toBe(`im:postmaster@${MAIL}`);
    expect(h(report.headers, 'Report')).toBe('failed');
    expect(h(report.headers, 'Report-For')).toBe('q-550');
    expect(h(report.headers, 'Orig-Inbox')).toBe(mailbox('nobody'));
    const cpim = parseCpim(report.payload!, { startsWith: 'cpim-headers' });
    expect(cpim.result === 'reject' ? cpim.reason : Buffer.from(cpim.message.body).toString()).toMatch(
      /550|no such user/,
    );
    expect(smtp.sink.mails).toHaveLength(0);
  });

  it('a gateway stopped with mail queued sends it after a restart on the same file, once each; a Message-ID is queued once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mail-queue-'));
    dirs.push(dir);
    const storage = { backend: 'sqlite', path: join(dir, 'gw.sqlite') };
    smtp.refuse(() => ({ code: 451, text: '4.3.0 try again later' }));
    const first = await start(smtp.sink.port, { storage });
    const alice = await first.client('alice');
    for (const [i, t] of texts(3).entries()) {
      const a = await sendText(alice, 'im:alice@gw.test', DAVE, t, [['Message-ID', `r-${i}`]]);
      expect(h(a.headers, 'Stored')).toBe('queued');
    }
    // The same message again (a client resending after a crash): answered the same, kept once.
    const again = await sendText(alice, 'im:alice@gw.test', DAVE, 'mail 2', [['Message-ID', 'r-1']]);
    expect([again.status, h(again.headers, 'Stored')]).toEqual(['ok', 'queued']);
    await first.stop();
    smtp.refuse(() => null);
    await start(smtp.sink.port, { storage });
    await smtp.sink.waitFor(3, 10_000);
    await sleep(500);
    expect(bodies()).toEqual(texts(3));
  });

  it('a report to a mailbox is an RFC 3464 bounce from the postmaster with an empty envelope sender', async () => {
    const gw = await start(smtp.sink.port);
    const pm = await gw.client('postmaster');
    const r = await sendText(pm, 'im:postmaster@gw.test', DAVE, 'Your message to im:bob@gw.test expired.', [
      ['Report', 'expired'],
      ['Report-For', 'b-1'],
      ['Orig-Inbox', 'im:bob@gw.test'],
    ]);
    expect(r.status).toBe('ok');
    const [m] = await smtp.sink.waitFor(1, 10_000);
    expect(m!.mailFrom).toBe('');
    expect(m!.parsed.from?.value[0]?.address).toBe(`postmaster@${MAIL}`);
    expect(m!.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    const raw = m!.raw.toString();
    expect(raw).toMatch(/Content-Type: multipart\/report; report-type=delivery-status;/);
    expect(raw).toMatch(/Final-Recipient: rfc822; bob@gw\.test\r\nAction: failed\r\nStatus: 4\.4\.7/);
    expect(m!.parsed.text).toMatch(/expired/);
  });
});
