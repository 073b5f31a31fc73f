/**
 * Issue 13, defect 2: one mail must not freeze the gateway. Real SMTP on loopback (raw sockets,
 * test/support/smtp-raw.ts): a hostile mail on one connection while another connection's NOOPs
 * are timed; header bounds at DATA (552 5.3.4); sender authentication in worker threads with a
 * time budget (temperror) and a queue bound (451 4.3.2); no thread left after stop.
 * Issue 17: References of hundreds of ids or looping are read within `inbound.maxReferences`;
 * a flood of reactions mailed as follow-ups is bounded by the sender's rate.
 */
import { describe, expect, it } from 'vitest';
import { sendText } from '../support/hub-calls.js';
import { logged, MAIL, useEmailGateways } from '../support/email-gateway.js';
import { waitFor } from '../support/net.js';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { buildCpim } from '../../src/index.js';
import { cpimOf, h } from '../support/email-gateway.js';
import { relationCpim, readRelationCpim } from '../support/relation-cpim.js';
import { costlyDkimMail, foldedHeaderMail, noopWhile, normalMail, SmtpClient } from '../support/smtp-raw.js';

const BOB = `bob=gw.test@${MAIL}`;
const DAVE = 'dave@elsewhere.test';
/** The bound: other clients are answered within a second. */
const ANSWERED_WITHIN_MS = 1000;

describe('email adapter, hostile mail (issue 13)', () => {
  const startGateway = useEmailGateways();

  it('a header folded over 30,000 and 200,000 lines is refused 552 5.3.4 while another client is answered within 1 s', async () => {
    const eg = await startGateway();
    const { client: other } = await SmtpClient.open(eg.smtpPort);
    expect(await other.command('EHLO other.test')).toMatch(/^250 /);
    for (const lines of [30_000, 200_000]) {
      const { client: hostile } = await SmtpClient.open(eg.smtpPort);
      const answer = hostile.send(DAVE, BOB, foldedHeaderMail(DAVE, BOB, lines));
      const rtts = await noopWhile(other, answer);
      expect(await answer).toMatch(/^552 5\.3\.4 header section too big \(more than 1000 lines\)/);
      expect(Math.max(...rtts), `NOOP round trips during the ${lines}-line header`).toBeLessThan(
        ANSWERED_WITHIN_MS,
      );
      await hostile.close();
    }
    const warns = logged(eg.gw, 'mail header over its limit');
    expect(warns).toHaveLength(2);
    expect(warns[0]).toMatchObject({ ip: '127.0.0.1', kind: 'lines', limit: 1000, from: DAVE });
    // The other connection still completes a transaction, and nothing hostile reached bob.
    expect(await other.send(DAVE, BOB, normalMail(DAVE, BOB, 'still here'))).toMatch(/^250 /);
    expect(eg.bobGot).toHaveLength(1);
    await other.close();
  });

  it('inbound.maxHeaderBytes and inbound.maxHeaderLines are the bounds; at them a mail passes', async () => {
    const eg = await startGateway({ inbound: { maxHeaderBytes: 2000, maxHeaderLines: 20 } });
    const { client } = await SmtpClient.open(eg.smtpPort);
    // From, To, Subject, Message-ID + 16 = 20 lines: at the bound.
    const at = normalMail(DAVE, BOB).replace('\r\n\r\n', `\r\n${'X-N: 1\r\n'.repeat(16)}\r\n`);
    expect(await client.send(DAVE, BOB, at)).toMatch(/^250 /);
    const lines = normalMail(DAVE, BOB).replace('\r\n\r\n', `\r\n${'X-N: 1\r\n'.repeat(17)}\r\n`);
    expect(await client.send(DAVE, BOB, lines)).toMatch(/^552 5\.3\.4 .*more than 20 lines/);
    const long = normalMail(DAVE, BOB).replace('\r\n\r\n', `\r\nX-Long: ${'a'.repeat(2000)}\r\n\r\n`);
    expect(await client.send(DAVE, BOB, long)).toMatch(/^552 5\.3\.4 .*more than 2000 octets/);
    // A mail that never ends its header (no empty line) is all header.
    const endless = `From: <${DAVE}>\r\n${'X-N: 1\r\n'.repeat(30)}`;
    expect(await client.send(DAVE, BOB, endless)).toMatch(/^552 5\.3\.4 .*lines/);
    expect(logged(eg.gw, 'mail header over its limit').map((l) => l['kind'])).toEqual([
      'lines',
      'bytes',
      'lines',
    ]);
    expect(eg.bobGot).toHaveLength(1);
    await client.close();
  });

  it('a mail costly for DKIM but inside the header limits is checked in a worker: the other client is answered within 1 s', async () => {
    const eg = await startGateway({ senderAuth: { timeoutMs: 120_000 } });
    const { client: other } = await SmtpClient.open(eg.smtpPort);
    expect(await other.command('EHLO other.test')).toMatch(/^250 /);
    const { client: hostile } = await SmtpClient.open(eg.smtpPort);
    const answer = hostile.send(DAVE, BOB, costlyDkimMail(DAVE, BOB));
    const rtts = await noopWhile(other, answer);
    expect(await answer).toMatch(/^250 /);
    expect(Math.max(...rtts), 'NOOP round trips during the costly DKIM check').toBeLessThan(
      ANSWERED_WITHIN_MS,
    );
    // The check really ran (in the worker) and found the signatures.
    expect(logged(eg.gw, 'mail delivered to chat')[0]).toMatchObject({ strength: 'none', spf: 'none' });
    expect(logged(eg.gw, 'mail delivered to chat')[0]?.['dkim']).not.toBe('none');
    await Promise.all([hostile.close(), other.close()]);
  });

  it('over senderAuth.timeoutMs the worker is stopped and the verdict is temperror; the pool goes on', async () => {
    const eg = await startGateway({ senderAuth: { timeoutMs: 200 } });
    const pool = eg.adapter.senderAuth!;
    const { client } = await SmtpClient.open(eg.smtpPort);
    const before = [...pool.threads];
    expect(before).toHaveLength(1);
    expect(await client.send(DAVE, BOB, costlyDkimMail(DAVE, BOB))).toMatch(/^250 /);
    expect(logged(eg.gw, 'sender authentication over its time budget, verdict temperror')).toEqual([
      expect.objectContaining({ from: DAVE, ip: '127.0.0.1', timeoutMs: 200 }),
    ]);
    expect(logged(eg.gw, 'mail delivered to chat')[0]).toMatchObject({
      strength: 'none',
      dmarc: 'temperror',
    });
    // piscina terminated the busy worker and started another.
    await waitFor(() => before[0]!.threadId === -1, 5000, 'the timed-out worker to exit');
    expect(await client.send(DAVE, BOB, normalMail(DAVE, BOB, 'after'))).toMatch(/^250 /);
    expect(logged(eg.gw, 'mail delivered to chat')[1]).toMatchObject({ dmarc: 'none' });
    expect(pool.threads).toHaveLength(1);
    expect(pool.threads[0]).not.toBe(before[0]);
    await client.close();
  });

  it('a temperror under minStrength weak is answered 451 4.7.0 (try again), not a bounce', async () => {
    const eg = await startGateway({ senderAuth: { timeoutMs: 200, minStrength: 'weak' } });
    const { client } = await SmtpClient.open(eg.smtpPort);
    expect(await client.send(DAVE, BOB, costlyDkimMail(DAVE, BOB))).toMatch(/^451 4\.7\.0 /);
    expect(logged(eg.gw, 'mail refused')).toEqual([
      expect.objectContaining({
        code: 451,
        reason: 'sender authentication over its time budget',
        ip: '127.0.0.1',
      }),
    ]);
    expect(eg.bobGot).toHaveLength(0);
    await client.close();
  });

  it('beyond senderAuth.maxQueue a mail gets 451 4.3.2; the queued one is still checked', async () => {
    const eg = await startGateway({ senderAuth: { workers: 1, maxQueue: 1, timeoutMs: 120_000 } });
    const pool = eg.adapter.senderAuth!;
    const clients = await Promise.all([1, 2, 3].map(() => SmtpClient.open(eg.smtpPort)));
    const [a, b, c] = clients.map((x) => x.client) as [SmtpClient, SmtpClient, SmtpClient];
    const first = a.send(DAVE, BOB, costlyDkimMail(DAVE, BOB));
    await waitFor(() => pool.pending === 1, 20_000, 'the costly check to start');
    const second = b.send(DAVE, BOB, normalMail(DAVE, BOB, 'queued'));
    await waitFor(() => pool.pending === 2, 20_000, 'the second check to wait');
    expect(await c.send(DAVE, BOB, normalMail(DAVE, BOB, 'refused'))).toMatch(/^451 4\.3\.2 /);
    expect(await first).toMatch(/^250 /);
    expect(await second).toMatch(/^250 /);
    expect(logged(eg.gw, 'mail refused')).toEqual([
      expect.objectContaining({ code: 451, reason: 'sender authentication queue full' }),
    ]);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('the worker threads start with the adapter and none is left after it stops', async () => {
    const eg = await startGateway({ senderAuth: { workers: 2 } });
    const pool = eg.adapter.senderAuth!;
    const { client } = await SmtpClient.open(eg.smtpPort);
    expect(await client.send(DAVE, BOB, normalMail(DAVE, BOB))).toMatch(/^250 /);
    await client.close();
    const workers = [...pool.threads];
    expect(workers).toHaveLength(2);
    expect(workers.every((w) => w.threadId > 0)).toBe(true);
    await eg.stop();
    expect(workers.map((w) => w.threadId)).toEqual([-1, -1]);
    expect(pool.threads).toHaveLength(0);
  });

  it('References of hundreds of ids, or looping, are read within inbound.maxReferences; a mail naming itself names nothing (issue 17)', async () => {
    const eg = await startGateway({ inbound: { maxReferences: 20 } });
    const { client } = await SmtpClient.open(eg.smtpPort);
    const mail = (id: string, refs: readonly string[], inReplyTo?: string) =>
      `From: <${DAVE}>\r\nTo: <${BOB}>\r\nSubject: loop\r\nMessage-ID: ${id}\r\n` +
      (inReplyTo === undefined ? '' : `In-Reply-To: ${inReplyTo}\r\n`) +
      (refs.length === 0 ? '' : `References: ${refs.join('\r\n ')}\r\n`) +
      `\r\n${id}\r\n`;
    // A references B, B references A: each is read once, by id, never followed.
    expect(await client.send(DAVE, BOB, mail('<a@x.test>', ['<b@x.test>'], '<b@x.test>'))).toMatch(/^250 /);
    expect(await client.send(DAVE, BOB, mail('<b@x.test>', ['<a@x.test>'], '<a@x.test>'))).toMatch(/^250 /);
    const [a] = eg.bobGot.map((c) => h(c.headers, 'Message-ID')!);
    expect(readRelationCpim(eg.bobGot[0]!.payload).r).toEqual({});
    expect(readRelationCpim(eg.bobGot[1]!.payload).r).toEqual({ replyTo: a, thread: a });
    // 600 ids, the loop written out 300 times and the mail itself: the root and the newest, at
    // most 20; the mail's own id names nothing (a relation to oneself would be refused).
    const many = [
      '<a@x.test>',
      ...Array.from({ length: 300 }, (_, i) => `<n${i}@x.test>`),
      ...Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? '<a@x.test>' : '<b@x.test>')),
      '<c@x.test>',
    ];
    expect(await client.send(DAVE, BOB, mail('<c@x.test>', many, '<c@x.test>'))).toMatch(/^250 /);
    const c = eg.bobGot[2]!;
    expect(readRelationCpim(c.payload).r).toEqual({ thread: a });
    const refs = cpimOf(c).ext('References')!.split(' ');
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('<a@x.test>');
    expect(refs.at(-1)).toBe('<c@x.test>');
    await client.close();
    // A hub client's Mail.References are read within the same bound when mailed.
    const bob = await eg.gw.client('bob');
    const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`;
    const payload = buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: 'im:bob@gw.test' },
      to: [{ uri: DAVE_URI }],
      dateTime: new Date(),
      ns: [{ prefix: 'Mail', uri: 'tag:cpim-gateway.org,2025:email' }],
      extraHeaders: [{ name: 'Mail.References', value: many.join(' ') }],
      contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
      body: 'many references',
    });
    const sent = await bob.command(
      'send',
      [
        ['Sender', 'im:bob@gw.test'],
        ['Inbox', DAVE_URI],
        ['Content-Type', 'message/cpim'],
      ],
      payload,
    );
    expect(sent.status).toBe('ok');
    const [file] = (await readdir(eg.outDir)).filter((f) => f.endsWith('.eml'));
    const mailed = await simpleParser(await readFile(join(eg.outDir, file!)));
    expect(([] as string[]).concat(mailed.references ?? [])).toHaveLength(20);
  });

  it('a flood of reactions mailed as follow-ups is bounded by the sender rate (quota), nothing else mailed (issue 17)', async () => {
    const eg = await startGateway(
      { relations: { reactions: 'mail' } },
      { limits: { perSender: { burst: 6, messagesPerSecond: 0.0001 } } },
    );
    const alice = await eg.gw.client('alice');
    const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`;
    const send = (body: string, r: Parameters<typeof relationCpim>[3], id: string) =>
      sendText(alice, 'im:alice@gw.test', DAVE_URI, relationCpim('im:alice@gw.test', DAVE_URI, body, r), [
        ['Content-Type', 'message/cpim'],
        ['Message-ID', id],
      ]);
    expect((await send('vote here', {}, 'vote')).status).toBe('ok');
    const answers = [];
    for (let i = 0; i < 30; i++)
      answers.push(await send('', { reaction: { op: 'add', target: 'vote', key: `k${i}` } }, `r${i}`));
    const ok = answers.filter((x) => x.status === 'ok').length;
    expect(ok).toBe(5);
    expect(answers.slice(ok).every((x) => h(x.headers, 'Error-Type') === 'quota')).toBe(true);
    const mails = (await readdir(eg.outDir)).filter((f) => f.endsWith('.eml'));
    expect(mails).toHaveLength(1 + ok);
  });
});
