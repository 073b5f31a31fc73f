/**
 * SMTP AUTH (RFC 4954) is throttled across connections, per address and per username, in the
 * gateway's one tracker (issue 13 defect 5): a guesser reconnecting with wrong passwords gets a
 * handful of 535 5.7.8 answers, then 454 4.7.0 (RFC 4954 6, temporary) without a check, while
 * the real user from another address authenticates at once. Real nodemailer connections from
 * chosen loopback source addresses.
 */
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmailGateway, type EmailGateway } from '../support/email-gateway.js';

let eg: EmailGateway | undefined;
afterEach(async () => {
  await eg?.stop();
  eg = undefined;
});

/** One connection from `localAddress` authenticating as user/pass: 235 → 'ok', else the code. */
async function authenticate(port: number, localAddress: string, user: string, pass: string) {
  const t = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    localAddress,
    ignoreTLS: true,
    auth: { user, pass },
  });
  try {
    await t.verify();
    return 'ok';
  } catch (e) {
    return (e as { responseCode?: number }).responseCode ?? (e as Error).message;
  } finally {
    t.close();
  }
}

describe('SMTP AUTH throttling across connections', () => {
  it('535 for a handful of checked guesses, then 454 unchecked; alice from 127.0.0.2 gets in', async () => {
    eg = await startEmailGateway(
      {
        inbound: {
          auth: {
            users: [{ user: 'alice', password: 's3cret', addresses: ['alice@gw.test'] }],
            allowInsecure: true,
          },
        },
      },
      { bobListens: false },
    );
    const port = eg.smtpPort;
    const codes: (number | string)[] = [];
    const t0 = Date.now();
    // Bounded in time and count: one AUTH per connection, then reconnect.
    while (Date.now() - t0 < 2000 && codes.length < 300)
      codes.push(await authenticate(port, '127.0.0.1', 'alice', 'wrong'));
    const checked = codes.filter((c) => c === 535).length;
    const throttled = codes.filter((c) => c === 454).length;
    expect(checked + throttled).toBe(codes.length);
    // 3 free, then waits of 1 s and 2 s (defaults): at most 5 checked in 2 s.
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(5);
    expect(throttled).toBeGreaterThan(0);
    // Even the right password is not checked from the guessing address now ...
    expect(await authenticate(port, '127.0.0.1', 'alice', 's3cret')).toBe(454);
    // ... but alice from another address gets in at once.
    expect(await authenticate(port, '127.0.0.2', 'alice', 's3cret')).toBe('ok');
    const text = await eg.gw.gateway.metrics.registry.metrics();
    expect(text).toContain(`cpim_auth_failures_total{listener="smtp"} ${checked}`);
    expect(text).toContain(`cpim_auth_throttled_total{listener="smtp"} ${throttled + 1}`);
    const line = eg.gw.logs().find((l) => l['msg'] === 'authentication failed');
    expect(line).toMatchObject({ level: 40, listener: 'smtp', account: 'alice', remote: '127.0.0.1' });
  });
});
