/**
 * Kill test, mail out (issue 15, "Done when"; needs the durable mail queue of branch wt-queues,
 * docs/adapters/email.md "Queued messages and restarts"): alice writes to a mailbox elsewhere
 * while the relay (a real SMTP server) answers 451, so every send answered `ok` waits in the
 * queue; the gateway is killed with SIGKILL mid-stream, the relay accepts again, the gateway is
 * started again on the same store: the relay gets every accepted message once.
 */
import { expect, it } from 'vitest';
import { sendText } from '../../support/hub-calls.js';
import { useKillGateways } from '../../support/kill-gateway.js';
import { useMailSink } from '../../support/mail-sink.js';
import { waitFor } from '../../support/net.js';
import { DAVE_URI, emailAdapter } from './mail-config.js';
import { duplicates, missing, numberOf, numbered, streamAndKill } from './stream.js';

// Registered first: its clean-up runs after the gateways stopped.
const smtp = useMailSink();
const start = useKillGateways();

it('mail answered ok and queued at a SIGKILL reaches the relay once after the restart', async () => {
  let relayDown = true;
  smtp.refuse(() => (relayDown ? { code: 451, text: '4.3.0 try again later' } : null));
  const gw = await start({
    extraPorts: ['smtp'],
    config: (p) => ({ adapters: [emailAdapter(p.smtp!, smtp.sink.port)] }),
  });
  const alice = await gw.client('alice');
  const out = await streamAndKill({
    total: 2_000,
    window: 8,
    killAfterOk: 40,
    kill: () => gw.kill(),
    send: async (i) =>
      (await sendText(alice, 'im:alice@gw.test', DAVE_URI, numbered('mailout', i))).status === 'ok',
  });
  expect(out.failed.length).toBeGreaterThan(0);
  expect(smtp.sink.mails).toHaveLength(0);

  relayDown = false;
  await gw.restart();
  const arrived = (): number[] =>
    smtp.sink.mails
      .map((m) => numberOf('mailout', m.raw.toString('latin1')))
      .filter((n): n is number => n !== undefined);
  await waitFor(() => missing(out.ok, arrived()).length === 0, 40_000, 'every accepted mail at the relay');
  // One more, after the restart: when it is at the relay, the resumed queue is through.
  const alice2 = await gw.client('alice');
  const last = await sendText(alice2, 'im:alice@gw.test', DAVE_URI, numbered('mailout', 999_999));
  expect(last.status).toBe('ok');
  await waitFor(() => arrived().includes(999_999), 40_000, 'the mail after the restart');
  await gw.terminate();

  expect(duplicates(arrived())).toEqual([]);
  expect(missing(out.ok, arrived())).toEqual([]);
}, 120_000);
