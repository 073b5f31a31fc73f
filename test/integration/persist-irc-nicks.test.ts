/**
 * Issue 15 (docs/adapters/irc.md "What survives a restart"): a puppet's nick, forced by a
 * collision, is the same after the gateway restarts on the same SQLite file, though the nick it
 * collided with is free by then. Against a real ngircd.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { sendText } from '../support/hub-calls.js';

describe('IRC puppet nicks across a restart', () => {
  const irc = useIrcServer();
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a puppet forced to another nick by a collision keeps that nick after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persist-irc-'));
    const storage = { backend: 'sqlite', path: join(dir, 'gw.sqlite') };
    const options = { irc: { mode: 'puppet' }, config: { storage } };
    // ngircd's NICKLEN is 9: alice's puppet is "alice[gw]"; taken, it becomes "alic1[gw]".
    const squatter = await irc.user('squat');
    const renamed = new Promise<void>((r) => squatter.client.once('nick', () => r()));
    squatter.client.changeNick('alice[gw]');
    await renamed;
    const dave = await irc.user('dave');
    const first = await irc.gateway(options);
    const alice = await first.client('alice');
    expect((await sendText(alice, 'im:alice@gw.test', 'im:dave@irc.test', 'before')).status).toBe('ok');
    const before = await waitFor(() => dave.lines.find((l) => l.message === 'before'));
    expect(before.nick).toBe('alic1[gw]');
    await first.stop();
    await squatter.quit();
    const second = await irc.gateway(options);
    const again = await second.client('alice');
    expect((await sendText(again, 'im:alice@gw.test', 'im:dave@irc.test', 'after')).status).toBe('ok');
    const after = await waitFor(() => dave.lines.find((l) => l.message === 'after'));
    expect(after.nick).toBe('alic1[gw]');
  });
});
