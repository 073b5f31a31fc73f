/**
 * The IRC adapter when the server goes away (reconnect, re-join, queued lines kept or answered)
 * and IRC presence reaching a PITP watcher, against a real ngircd.
 */
import { describe, expect, it } from 'vitest';
import { parsePidf } from '../../src/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { TestGateway } from '../support/gateway.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { h, sendText } from '../support/hub-calls.js';

describe('IRC adapter resilience and presence', () => {
  const irc = useIrcServer();
  let gw: TestGateway | undefined;

  async function setup(extra: Record<string, unknown>, config?: Record<string, unknown>) {
    gw = await irc.gateway({ irc: extra, ...(config ? { config } : {}) });
  }

  const status = () => gw!.gateway.adapters[0]!.status;
  const send = async (text: string) => {
    const carol = await gw!.client('carol');
    return sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', text);
  };

  it('reconnects after the server dies, re-joins, and delivers what was accepted meanwhile', async () => {
    // A fixed first retry delay, so the test user is back before the gateway is.
    await setup({
      reconnect: { minDelayMs: 1500, maxDelayMs: 1500, jitter: 0 },
      queue: { maxAgeMs: 10_000 },
    });
    const dave = await irc.user('dave');
    await dave.join('#dev');
    expect((await send('before')).status).toBe('ok');
    await waitFor(() => dave.lines.some((l) => l.message === '<carol> before'));

    await irc.server.kill();
    await waitFor(() => status() === 'offline', 3000, 'offline status');
    const pending = [send('during 1'), send('during 2')];
    await irc.restart();
    const dave2 = await irc.user('dave');
    await dave2.join('#dev');
    const answers = await Promise.all(pending);
    expect(answers.map((a) => [a.status, h(a.headers, 'Unreliable')])).toEqual([
      ['ok', 'irc.test'],
      ['ok', 'irc.test'],
    ]);
    await waitFor(() => dave2.lines.filter((l) => l.target === '#dev').length >= 2);
    expect(dave2.lines.map((l) => l.message)).toEqual(['<carol> during 1', '<carol> during 2']);
    expect(status()).toBe('online');
  });

  it('without a store, answers communications for lines that aged out while the server was away', async () => {
    // With a store the send is kept and answered ok (test/integration/irc-durable-queue.test.ts).
    await setup(
      { reconnect: { minDelayMs: 5000, maxDelayMs: 5000, jitter: 0 }, queue: { maxAgeMs: 300 } },
      { storage: { backend: 'none' } },
    );
    await irc.server.kill();
    await waitFor(() => status() === 'offline', 3000, 'offline status');
    const started = Date.now();
    const a = await send('lost?');
    expect(a.status).toBe('error');
    expect(h(a.headers, 'Error-Type')).toBe('communications');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("publishes an IRC user's join, away and quit to a PITP watcher", async () => {
    await setup({ presence: { debounceMs: 0, pollMs: 150, watch: ['erin'] } });
    const notes: CommandFrame[] = [];
    const bob = await gw!.client('bob', 'pitp', (c) => {
      notes.push(c);
      return { status: 'ok', headers: [] };
    });
    // The watched nick is published (closed) once ISON has answered; until then it is unknown.
    let sub: Awaited<ReturnType<typeof bob.command>> | undefined;
    for (let i = 0; i < 100 && sub?.status !== 'ok'; i++) {
      if (i > 0) await new Promise((res) => setTimeout(res, 50));
      sub = await bob.command('subscribe', [
        ['Subscription', '/presence:bob@gw.test'],
        ['Presentity', 'presence:erin@irc.test'],
      ]);
    }
    const basic = (p: Uint8Array | null | undefined) => {
      const t = parsePidf(p!).document.tuples[0]!;
      return `${t.basic}${t.notes[0] ? ':' + t.notes[0].text : ''}`;
    };
    expect(sub?.status).toBe('ok');
    expect(basic(sub!.payload)).toBe('closed');

    const erin = await irc.user('erin');
    await erin.join('#dev');
    await waitFor(() => notes.some((n) => basic(n.payload) === 'open'), 5000, 'open');
    erin.client.raw('AWAY :at lunch');
    await waitFor(() => notes.some((n) => basic(n.payload) === 'open:at lunch'), 5000, 'away');
    await erin.quit();
    await waitFor(() => basic(notes.at(-1)?.payload) === 'closed', 5000, 'closed');
    expect(notes.map((n) => n.method).every((m) => m === 'change-notify')).toBe(true);
    expect(h(notes[0]!.headers, 'Presentity')).toBe('presence:erin@irc.test');
  });
});
