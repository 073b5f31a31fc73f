/**
 * The kill-test harness itself (test/support/kill-gateway.ts): the real binary is killed with
 * SIGKILL by PID and started again on the same configuration, ports and store folder.
 */
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { sendText } from '../../support/hub-calls.js';
import { useKillGateways } from '../../support/kill-gateway.js';

const start = useKillGateways();

it('kills the gateway with SIGKILL and starts it again on the same ports and folder', async () => {
  const gw = await start();
  const first = gw.pid();
  const alice = await gw.client('alice');
  const got: string[] = [];
  const bob = await gw.client('bob', (cmd) => {
    got.push(Buffer.from(cmd.payload ?? []).toString());
    return { status: 'ok', headers: [] };
  });
  expect((await bob.command('listen', [['Inbox', 'im:bob@gw.test']])).status).toBe('ok');
  expect((await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'before')).status).toBe('ok');

  await gw.kill();
  expect(gw.alive()).toBe(false);
  // A send on a connection to the killed process is answered `communications`, never `ok`.
  const lost = await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'lost');
  expect(lost.status).not.toBe('ok');

  await gw.restart();
  expect(gw.pid()).not.toBe(first);
  expect(gw.runs()).toBe(2);
  expect(existsSync(gw.dir)).toBe(true);
  const alice2 = await gw.client('alice');
  const bob2 = await gw.client('bob', (cmd) => {
    got.push(Buffer.from(cmd.payload ?? []).toString());
    return { status: 'ok', headers: [] };
  });
  expect((await bob2.command('listen', [['Inbox', 'im:bob@gw.test']])).status).toBe('ok');
  expect((await sendText(alice2, 'im:alice@gw.test', 'im:bob@gw.test', 'after')).status).toBe('ok');
  expect(got).toEqual(['before', 'after']);
  expect(gw.logs().filter((l) => l.msg === 'gateway started')).toHaveLength(2);
});
