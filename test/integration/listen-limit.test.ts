/** The listen bound over real TCP: a gateway's hub listener with `hub.limits.maxListensPerConnection`. */
import { describe, expect, it } from 'vitest';
import { useTestGateways } from '../support/gateway.js';
import { h, sendText } from '../support/hub-calls.js';

describe('hub.limits.maxListensPerConnection over TCP (issue 12)', () => {
  const startGateway = useTestGateways();

  it('a connection past its listens is answered quota; the gateway config sets the bound', async () => {
    const gw = await startGateway({
      config: {
        hub: {
          imtp: { host: '127.0.0.1', port: 0 },
          pitp: { host: '127.0.0.1', port: 0 },
          sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
          accounts: [
            { user: 'alice', password: 'alice', identities: ['im:alice@gw.test'] },
            { user: 'bot', password: 'bot', identities: ['im:*@gw.test'] },
          ],
          limits: { maxListensPerConnection: 2 },
        },
      },
    });
    const bot = await gw.client('bot', 'imtp', () => ({ status: 'ok', headers: [] }));
    expect((await bot.command('listen', [['Inbox', 'im:a@gw.test']])).status).toBe('ok');
    expect((await bot.command('listen', [['Inbox', 'im:b@gw.test']])).status).toBe('ok');
    const over = await bot.command('listen', [['Inbox', 'im:c@gw.test']]);
    expect(over.status).toBe('error');
    expect(h(over.headers, 'Error-Type')).toBe('quota');
    expect(h(over.headers, 'Error-Description')).toBe('at most 2 listens per connection');
    expect(gw.logs().some((l) => l.msg === 'over a limit, answered quota' && l.level === 40)).toBe(true);
    // The listens it has still work; the refused inbox has nobody (its messages are kept, issue 15).
    const alice = await gw.client('alice');
    const toB = await sendText(alice, 'im:alice@gw.test', 'im:b@gw.test');
    expect([toB.status, h(toB.headers, 'Stored')]).toEqual(['ok', undefined]);
    expect(h((await sendText(alice, 'im:alice@gw.test', 'im:c@gw.test')).headers, 'Stored')).toBe('offline');
    // A second connection of the same account has a bound of its own.
    const bot2 = await gw.client('bot');
    expect((await bot2.command('listen', [['Inbox', 'im:c@gw.test']])).status).toBe('ok');
  });
});
