/**
 * Failures are never quiet (docs/architecture.md part 8): a channel line the gateway room refuses
 * is logged at warn and its IRC author is told by NOTICE, against a real ngircd.
 */
import { describe, expect, it } from 'vitest';
import { useIrcServer } from '../support/irc.js';
import { sleep, waitFor } from '../support/net.js';

describe('IRC lines a room refuses', () => {
  const irc = useIrcServer();

  it('tells the author why by NOTICE, and not in answer to a NOTICE', async () => {
    // The channel is bridged to the room but is not one of its members: its lines are refused.
    await irc.gateway({
      logLevel: 'warn',
      rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: ['im:carol@gw.test'] }],
    });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    dave.client.notice('#dev', 'a notice first');
    dave.client.say('#dev', 'hello room');
    const told = await waitFor(() => dave.lines.find((l) => l.kind === 'notice' && l.target === 'Dave'));
    expect(told.message).toBe(
      'Not delivered to #dev: target-authorization: only members may send to this room',
    );
    await sleep(300);
    expect(dave.lines.filter((l) => l.kind === 'notice')).toHaveLength(1);
  });
});
