/**
 * Kill test, mail in (issue 15, "Done when"; needs offline delivery in the router, branch
 * wt-offline): mails over real SMTP to bob, who is not connected; each `250` after DATA means the
 * gateway kept it (docs/adapters/email.md). The gateway is killed with SIGKILL mid-stream and
 * started again on the same store; when bob listens, every accepted mail arrives once, in order.
 */
import { expect, it } from 'vitest';
import type { CommandFrame } from '../../../src/hub/frame/index.js';
import { useKillGateways } from '../../support/kill-gateway.js';
import { waitFor } from '../../support/net.js';
import { SmtpClient } from '../../support/smtp-raw.js';
import { BOB_MAILBOX, emailAdapter } from './mail-config.js';
import { duplicates, missing, numberOf, numbered, streamAndKill } from './stream.js';

const start = useKillGateways();

const mail = (i: number): string =>
  `From: Dave <dave@elsewhere.test>\r\nTo: <${BOB_MAILBOX}>\r\nSubject: kill test\r\n` +
  `Message-ID: <${numbered('mailin', i)}@elsewhere.test>\r\n\r\n${numbered('mailin', i)}\r\n`;

it('mails answered 250 before a SIGKILL are delivered to bob once, in order, after the restart', async () => {
  const gw = await start({
    extraPorts: ['smtp'],
    config: (p) => ({
      adapters: [emailAdapter(p.smtp!, null)],
      storage: { offline: { maxPerInbox: 100_000 } },
    }),
  });
  const out = await streamAndKill({
    total: 1_000,
    // One SMTP client after another: the order they were accepted in is the numbers' order.
    window: 1,
    killAfterOk: 60,
    kill: () => gw.kill(),
    send: async (i) => {
      let c: SmtpClient | undefined;
      try {
        c = (await SmtpClient.open(gw.ports.smtp!)).client;
        const reply = await c.send('dave@elsewhere.test', BOB_MAILBOX, mail(i));
        return reply.startsWith('250');
      } catch {
        return false;
      } finally {
        await c?.close().catch(() => undefined);
      }
    },
  });
  expect(out.failed.length).toBeGreaterThan(0);

  await gw.restart();
  const got: number[] = [];
  const bob = await gw.client('bob', (cmd: CommandFrame) => {
    const n = numberOf('mailin', Buffer.from(cmd.payload ?? []).toString());
    if (n !== undefined) got.push(n);
    return { status: 'ok', headers: [] };
  });
  expect((await bob.command('listen', [['Inbox', 'im:bob@gw.test']])).status).toBe('ok');
  await waitFor(() => missing(out.ok, got).length === 0, 15_000, 'every accepted mail at bob');
  // One more mail, live: when it is there, the drain is over.
  const c = (await SmtpClient.open(gw.ports.smtp!)).client;
  expect(await c.send('dave@elsewhere.test', BOB_MAILBOX, mail(999_999))).toMatch(/^250/);
  await c.close();
  await waitFor(() => got.includes(999_999), 10_000, 'the mail after the restart');
  await gw.terminate();

  expect(duplicates(got)).toEqual([]);
  expect(missing(out.ok, got)).toEqual([]);
  expect(got.every((n, i) => i === 0 || got[i - 1]! < n)).toBe(true);
}, 60_000);
