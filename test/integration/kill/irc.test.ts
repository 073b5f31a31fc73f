/**
 * Kill test, IRC out through the pacing queue (issue 15, "Done when"; needs the durable IRC queue
 * of branch wt-queues, docs/adapters/irc.md "Queued messages and restarts"): carol posts to room
 * `dev`, bridged to `#dev` with a slow pacing rate, so that posts answered `ok` wait in the queue;
 * the gateway is killed with SIGKILL mid-stream and started again on the same store. An IRC user
 * in `#dev` (on the same ngircd, which keeps running) must see every accepted post once, in order.
 */
import { expect, it } from 'vitest';
import { sendText } from '../../support/hub-calls.js';
import { DEV_ROOM, ircAdapterConfig, useIrcServer } from '../../support/irc.js';
import { useKillGateways } from '../../support/kill-gateway.js';
import { waitFor } from '../../support/net.js';
import { duplicates, missing, numberOf, numbered, streamAndKill } from './stream.js';

// Registered first: its afterEach (the server empty again) runs after the gateways stopped.
const irc = useIrcServer();
const start = useKillGateways();

it('posts answered ok and waiting in the pacing queue at a SIGKILL reach #dev once, in order, after the restart', async () => {
  const port = irc.server.port;
  const gw = await start({
    config: () => ({
      rooms: [DEV_ROOM],
      adapters: [
        ircAdapterConfig(port, {
          channels: [{ name: '#dev', room: DEV_ROOM.address }],
          // Slow on purpose: the queue holds most of the stream when the gateway dies.
          flood: { enabled: true, burst: 5, linesPerSecond: 40 },
        }),
      ],
    }),
  });
  const erin = await irc.user('erin');
  await erin.join('#dev');
  const arrived = (): number[] =>
    erin.lines
      .filter((l) => l.target.toLowerCase() === '#dev')
      .map((l) => numberOf('irc', l.message))
      .filter((n): n is number => n !== undefined);
  // The bot is in the channel once a post goes through.
  const carol = await gw.client('carol');
  expect((await sendText(carol, 'im:carol@gw.test', DEV_ROOM.address, numbered('irc', 0))).status).toBe('ok');
  await waitFor(() => arrived().includes(0), 10_000, 'the first post on #dev');

  let atKill = 0;
  const out = await streamAndKill({
    total: 2_000,
    window: 16,
    killAfterOk: 150,
    kill: async () => {
      await gw.kill();
      atKill = arrived().length;
    },
    send: async (i) =>
      (await sendText(carol, 'im:carol@gw.test', DEV_ROOM.address, numbered('irc', i + 1))).status === 'ok',
  });
  const accepted = [0, ...out.ok.map((i) => i + 1)];
  // The queue held accepted posts that IRC had not seen when the process died.
  expect(atKill).toBeLessThan(accepted.length);

  await gw.restart();
  await waitFor(() => missing(accepted, arrived()).length === 0, 20_000, 'every accepted post on #dev');
  // A post after the restart's queue: when it is on #dev, the resumed queue is through.
  const carol2 = await gw.client('carol');
  expect(
    (await sendText(carol2, 'im:carol@gw.test', DEV_ROOM.address, numbered('irc', 999_999))).status,
  ).toBe('ok');
  await waitFor(() => arrived().includes(999_999), 20_000, 'the post after the restart');
  await gw.terminate();

  const numbers = arrived();
  expect(duplicates(numbers)).toEqual([]);
  expect(missing(accepted, numbers)).toEqual([]);
  expect(numbers.every((n, i) => i === 0 || numbers[i - 1]! < n)).toBe(true);
});
