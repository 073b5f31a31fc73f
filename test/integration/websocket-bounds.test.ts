/**
 * The web adapter's tables stay bounded (issue 12): users who sign in and leave are forgotten
 * (a bounded `offline` list remembers the most recent ones), so `users` holds only users online,
 * and a message to a known offline user is still `no-listeners`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signIn, startWebGateway, type WebGateway } from '../support/websocket.js';

const N = 60;
const tokenOf = (i: number) => `churn-token-${String(i).padStart(4, '0')}-0123456789`;

describe('websocket adapter bounds', () => {
  let web: WebGateway | undefined;
  afterEach(async () => {
    await web?.stop();
    web = undefined;
  });

  it('forgets users who left, remembers at most maxOfflineUsers of them', async () => {
    web = await startWebGateway({
      auth: { tokens: Array.from({ length: N }, (_, i) => ({ user: `u${i}`, token: tokenOf(i) })) },
      limits: { maxOfflineUsers: 10 },
      // Nothing kept for them (issue 15's offline delivery, off here): known users are no-listeners.
      offline: { enabled: false },
    });
    const chat = web.adapter.chat;
    // Configured users are published at start.
    expect(chat.users.size).toBe(N);
    for (let i = 0; i < N; i++) {
      const c = await signIn(web.ws, tokenOf(i));
      c.close();
      await c.closed;
    }
    const deadline = Date.now() + 5000;
    while (chat.users.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(chat.users.size).toBe(0);
    expect(chat.offline.size).toBeLessThanOrEqual(10);

    const carol = await web.gw.client('carol');
    const sendTo = (who: string) =>
      carol.command(
        'send',
        [
          ['Sender', 'im:carol@gw.test'],
          ['Inbox', `im:${who}@web.test`],
        ],
        Buffer.from('hi'),
      );
    const h = (a: { headers: readonly (readonly [string, string])[] }) =>
      a.headers.find(([n]) => n === 'Error-Type')?.[1];
    // Every one of them is still known (configured users always are): no-listeners.
    expect(h(await sendTo(`u${N - 1}`))).toBe('no-listeners');
    expect(h(await sendTo('u0'))).toBe('no-listeners');
    expect(h(await sendTo('nobody'))).toBe('target-not-found');
    // Signing in again brings the user back online.
    const back = await signIn(web.ws, tokenOf(0));
    expect(chat.users.has('u0')).toBe(true);
    back.close();
  });
});
