/**
 * Authentication-failure backoff on the hub listeners (issue 12, `limits.authFailures`, here with
 * no free failures): after a failed SASL exchange the address waits `baseDelayMs` (doubling per
 * failure) before it may connect again, with a throttled warn line; a success clears it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hub authentication-failure backoff', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('refuses an address in backoff, on both listeners, then lets it in', async () => {
    gw = await startTestGateway({
      config: { limits: { authFailures: { baseDelayMs: 1000, maxDelayMs: 4000, freeFailures: 0 } } },
    });
    const wrong = { sasl: { mechanism: 'PLAIN' as const, user: 'alice', password: 'wrong' } };
    await expect(gw.client('alice', 'imtp', undefined, wrong)).rejects.toThrow();
    // In backoff: even the right password is not heard, on the other listener too.
    await expect(gw.client('alice', 'pitp')).rejects.toThrow();
    const refused = gw
      .logs()
      .filter((l) => l.msg === 'authentication refused unchecked: too many failures, backing off');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 40, listener: 'pitp', remote: '127.0.0.1' });
    await sleep(1100);
    const alice = await gw.client('alice');
    const r = await alice.command('listen', [['Inbox', 'im:alice@gw.test']]);
    expect(r.status).toBe('ok');
    // The success cleared the address: a new failure starts again at the base delay.
    await expect(gw.client('alice', 'imtp', undefined, wrong)).rejects.toThrow();
    await sleep(1100);
    const bob = await gw.client('bob');
    expect((await bob.command('listen', [['Inbox', 'im:bob@gw.test']])).status).toBe('ok');
  });
});
