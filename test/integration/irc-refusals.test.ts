/**
 * Failures are never quiet (design.md part 8): a channel line the gateway room refuses is logged
 * at warn and its IRC author is told by NOTICE, against a real ngircd.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ircAdapter } from '../../adapters/irc/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { ircAdapterConfig, ircUser, startNgircd, waitFor, type IrcUser, type Ngircd } from './irc-harness.js';

describe('IRC lines a room refuses', () => {
  let server: Ngircd | undefined;
  let gw: TestGateway | undefined;
  const users: IrcUser[] = [];
  afterEach(async () => {
    for (const u of users.splice(0)) await u.quit();
    await gw?.stop();
    await server?.cleanup();
    gw = server = undefined;
  });

  it('tells the author why by NOTICE, and not in answer to a NOTICE', async () => {
    server = await startNgircd();
    gw = await startTestGateway({
      adapterDefinitions: [ircAdapter as never],
      logLevel: 'warn',
      config: {
        adapters: [ircAdapterConfig(server.port, { channels: [{ name: '#dev', room: 'im:dev@gw.test' }] })],
        // The channel is bridged to the room but is not one of its members: its lines are refused.
        rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: ['im:carol@gw.test'] }],
      },
    });
    const dave = await ircUser(server.port, 'Dave');
    users.push(dave);
    await dave.join('#dev');
    dave.client.notice('#dev', 'a notice first');
    dave.client.say('#dev', 'hello room');
    const told = await waitFor(() => dave.lines.find((l) => l.kind === 'notice' && l.target === 'Dave'));
    expect(told.message).toBe(
      'Not delivered to #dev: target-authorization: only members may send to this room',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(dave.lines.filter((l) => l.kind === 'notice')).toHaveLength(1);
  });
});
