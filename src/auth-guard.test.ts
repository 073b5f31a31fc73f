import { describe, expect, it } from 'vitest';
import { AuthGuard } from './auth-guard.js';
import { createRootLogger } from './log.js';
import { GatewayMetrics } from './metrics.js';
import { AuthFailureTracker, ManualClock } from './policy/index.js';

function setup() {
  const clock = new ManualClock();
  const tracker = new AuthFailureTracker({
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    forgetAfterMs: 60_000,
    maxKeys: 100,
    freeFailures: 2,
    clock: clock.read,
  });
  const lines: Record<string, unknown>[] = [];
  const log = createRootLogger({
    level: 'debug',
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  const metrics = new GatewayMetrics();
  return { clock, lines, metrics, guard: new AuthGuard(tracker, metrics, log, 10_000) };
}

const value = async (m: GatewayMetrics, name: string, listener: string) =>
  new RegExp(`^${name}\\{listener="${listener}"\\} (\\d+)$`, 'm').exec(await m.registry.metrics())?.[1];

describe('AuthGuard', () => {
  it('counts failures and throttled attempts per listener, and logs one warn line per kind', async () => {
    const { guard, lines, metrics } = setup();
    const smtp = guard.forListener('smtp');
    expect(guard.forListener('smtp')).toBe(smtp);
    expect([1, 2, 3, 4].map(() => smtp.failed('192.0.2.1', 'alice', 'wrong password'))).toEqual([
      0, 0, 1000, 2000,
    ]);
    expect(smtp.throttle('192.0.2.1', 'alice')).toBe(2000);
    expect(smtp.throttle('192.0.2.1')).toBe(2000);
    // Another address and another listener: not in backoff, nothing counted as throttled.
    expect(guard.forListener('web').throttle('192.0.2.2', 'bob')).toBe(0);
    expect(await value(metrics, 'cpim_auth_failures_total', 'smtp')).toBe('4');
    expect(await value(metrics, 'cpim_auth_throttled_total', 'smtp')).toBe('2');
    expect(await value(metrics, 'cpim_auth_throttled_total', 'web')).toBeUndefined();
    const warn = lines.filter((l) => l['level'] === 40);
    expect(warn).toHaveLength(2);
    expect(warn[0]).toMatchObject({
      msg: 'authentication failed',
      remote: '192.0.2.1',
      listener: 'smtp',
      account: 'alice',
      reason: 'wrong password',
    });
    expect(warn[1]).toMatchObject({
      msg: 'authentication refused unchecked: too many failures, backing off',
      listener: 'smtp',
      retryAfterMs: 2000,
    });
  });

  it('a success clears the address for the next attempt', () => {
    const { guard, clock } = setup();
    const web = guard.forListener('web');
    for (let i = 0; i < 3; i++) web.failed('192.0.2.1', 'alice');
    expect(web.throttle('192.0.2.1', 'alice')).toBe(1000);
    clock.advance(1000);
    web.succeeded('192.0.2.1', 'alice');
    expect(web.failed('192.0.2.1', 'alice')).toBe(0);
  });
});
