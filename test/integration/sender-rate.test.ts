/**
 * The per-sender message rate over real TCP (issue 12): hub clients of one gateway, refused with
 * `quota` and an Error-Description by the router, one warn line for a flood, other senders
 * unaffected, and the limit read from `limits.perSender` in the configuration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const h = (headers: readonly (readonly [string, string])[], name: string) =>
  headers.find(([n]) => n === name)?.[1];

describe('per-sender message rate (limits.perSender)', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('a flooding hub client gets quota past its burst; another sender still gets through', async () => {
    gw = await startTestGateway({
      config: { limits: { perSender: { messagesPerSecond: 0.5, burst: 3 }, warnIntervalMs: 60_000 } },
    });
    let delivered = 0;
    const bob = await gw.client('bob', 'imtp', () => {
      delivered++;
      return { status: 'ok', headers: [] };
    });
    expect((await bob.command('listen', [['Inbox', 'im:bob@gw.test']])).status).toBe('ok');
    const alice = await gw.client('alice');
    const carol = await gw.client('carol');
    const sendAs = (c: typeof alice, who: string) =>
      c.command(
        'send',
        [
          ['Sender', `im:${who}@gw.test`],
          ['Inbox', 'im:bob@gw.test'],
        ],
        Buffer.from('hi'),
      );
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await sendAs(alice, 'alice'));
    expect(answers.map((a) => a.status)).toEqual(['ok', 'ok', 'ok', 'error', 'error', 'error']);
    expect(h(answers[3]!.headers, 'Error-Type')).toBe('quota');
    expect(h(answers[3]!.headers, 'Error-Description')).toMatch(/^sender rate limit: at most 0\.5 messages/);
    expect((await sendAs(carol, 'carol')).status).toBe('ok');
    expect(delivered).toBe(4);
    const warned = gw.logs().filter((l) => l.msg === 'sender rate limit exceeded, answered quota');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, sender: 'im:alice@gw.test' });
  });
});
