/**
 * Password guessing against the hub over real TCP is throttled across connections, per address
 * and per account (issue 13 defect 5; the rule: src/policy/auth-failures.ts), while the real
 * user from another address gets in at once. Counts are of answers after a real password check
 * ("invalid credentials"); attempts in backoff are refused at accept or answered unchecked.
 */
import { describe, expect, it } from 'vitest';
import { useTestGateways, type TestGateway } from '../support/gateway.js';
import { openPlain, tryPlain } from '../support/hub-guess.js';

const startGateway = useTestGateways();

async function metric(gw: TestGateway, name: string, listener: string): Promise<number> {
  const text = await gw.gateway.metrics.registry.metrics();
  const m = new RegExp(`^${name}\\{listener="${listener}"\\} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe('hub authentication throttling across connections', () => {
  it('a guesser reconnecting from one address gets a handful of checks in 2.5 s; alice from 127.0.0.2 gets in', async () => {
    const gw = await startGateway();
    const port = gw.imtp.port;
    let checked = 0;
    let refused = 0;
    let connections = 0;
    const t0 = Date.now();
    // Bounded in time and in count: three wrong guesses per connection, then reconnect.
    while (Date.now() - t0 < 2500 && connections < 6000) {
      connections++;
      const r = await tryPlain(port, '127.0.0.1', 'alice', 'wrong', 3);
      checked += r.checked;
      if (r.refused) refused++;
    }
    // 3 free, then waits of 1 s and 2 s (defaults): at most 5 checked in 2.5 s.
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(6);
    expect(refused).toBeGreaterThan(0);
    // The real user at another address is not locked out, nor bob.
    expect((await tryPlain(port, '127.0.0.2', 'alice', 'alice')).ok).toBe(true);
    expect((await tryPlain(gw.pitp.port, '127.0.0.3', 'bob', 'bob')).ok).toBe(true);
    expect(await metric(gw, 'cpim_auth_failures_total', 'imtp')).toBe(checked);
    expect(await metric(gw, 'cpim_auth_throttled_total', 'imtp')).toBeGreaterThanOrEqual(refused);
    const failed = gw.logs().find((l) => l['msg'] === 'authentication failed');
    expect(failed).toMatchObject({ level: 40, listener: 'imtp', account: 'alice' });
    expect(failed!['remote']).toBe('127.0.0.1');
    expect(
      gw.logs().find((l) => l['msg'] === 'authentication refused unchecked: too many failures, backing off'),
    ).toMatchObject({ level: 40, listener: 'imtp', remote: '127.0.0.1' });
  });

  it('connections opened before the backoff cannot go on guessing on them', async () => {
    const gw = await startGateway();
    // Twenty connections first, all accepted while the address is clean ...
    const conns = await Promise.all(Array.from({ length: 20 }, () => openPlain(gw.imtp.port, '127.0.0.1')));
    try {
      expect(conns.every((c) => !c.refused)).toBe(true);
      // ... then three wrong guesses on each: only the free ones and one more are checked.
      const results = await Promise.all(conns.map((c) => c.attempt('alice', 'wrong', 3)));
      const checked = results.reduce((n, r) => n + r.checked, 0);
      const throttled = results.reduce((n, r) => n + r.throttled, 0);
      expect(checked).toBeLessThanOrEqual(5);
      expect(checked + throttled).toBe(60);
    } finally {
      for (const c of conns) c.close();
    }
    expect((await tryPlain(gw.imtp.port, '127.0.0.2', 'alice', 'alice')).ok).toBe(true);
  });

  it('a guesser spread over 40 addresses is slowed down for alice; alice at a known address gets in', async () => {
    const gw = await startGateway();
    const port = gw.imtp.port;
    // alice has logged in from 127.0.0.2 before.
    expect((await tryPlain(port, '127.0.0.2', 'alice', 'alice')).ok).toBe(true);
    let checked = 0;
    let throttled = 0;
    for (let i = 10; i < 50; i++) {
      const r = await tryPlain(port, `127.0.0.${i}`, 'alice', 'wrong', 3);
      checked += r.checked;
      throttled += r.throttled;
    }
    // 10 free for the account from unknown addresses (default), then waits of 1 s, 2 s, ...
    expect(checked).toBeLessThanOrEqual(13);
    expect(throttled).toBeGreaterThanOrEqual(120 - 13);
    // alice from her known address is not delayed; bob at a guessing address is not either.
    expect((await tryPlain(port, '127.0.0.2', 'alice', 'alice')).ok).toBe(true);
    expect((await tryPlain(port, '127.0.0.10', 'bob', 'bob')).ok).toBe(true);
    // From a fresh address, alice waits like the guesser (the documented price), unchecked.
    const fresh = await tryPlain(port, '127.0.0.200', 'alice', 'alice');
    expect(fresh).toMatchObject({ ok: false, throttled: 1, checked: 0 });
    // 120 refusals, but not 120 warn lines: one per listener and kind per limits.warnIntervalMs.
    const warned = (msg: string) => gw.logs().filter((l) => l['msg'] === msg && l['level'] === 40);
    expect(warned('authentication failed')).toHaveLength(1);
    expect(warned('authentication refused unchecked: too many failures, backing off')).toHaveLength(1);
    expect(warned('hub authentication failed')).toHaveLength(0);
  });
});
