/**
 * Web sign-ins are throttled across connections, per address and per claimed user, in the
 * gateway's one tracker (issue 13 defect 5; the rule: src/policy/auth-failures.ts): a guesser
 * reconnecting with forged tokens gets a handful checked, then `auth-throttled` with
 * `retryAfterMs`, unverified; the real user from another address signs in at once, and
 * `/metrics` counts both kinds. Real `ws` clients from chosen loopback source addresses.
 */
import { describe, expect, it } from 'vitest';
import { mintToken } from '../../adapters/websocket/index.js';
import type { ServerFrame } from '../../adapters/websocket/protocol.js';
import { SECRET, TOKENS, connect, useWebGateways, type TestClient } from '../support/websocket.js';

const FORGER = 'another-secret-0123456789-0123456789-xyz';

type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;
const isError = (f: ServerFrame): f is ErrorFrame => f.type === 'error';

/** One connection from `localAddress`; `tokens` sent one after another; the answers and the close. */
async function signIns(url: string, localAddress: string, tokens: readonly string[]) {
  const c: TestClient = await connect(url, { localAddress });
  const answers: ServerFrame[] = [];
  try {
    for (const token of tokens) {
      const from = c.frames.length;
      c.send({ type: 'auth', v: 1, token });
      const f = await c
        .waitFor((x) => x.type === 'welcome' || x.type === 'error', 3000, from)
        .catch(() => undefined);
      if (f === undefined) break;
      answers.push(f);
      if (f.type === 'welcome') break;
    }
  } finally {
    c.close();
  }
  const errors = answers.filter(isError);
  return {
    failed: errors.filter((f) => f.code === 'auth-failed').length,
    throttled: errors.filter((f) => f.code === 'auth-throttled'),
    welcome: answers.some((f) => f.type === 'welcome'),
  };
}

async function metric(http: string, name: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const m = new RegExp(`^${name}\\{listener="web"\\} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe('web sign-in throttling across connections', () => {
  const startWeb = useWebGateways();

  it('a guesser reconnecting from one address gets a handful checked; alice from 127.0.0.2 signs in', async () => {
    const web = await startWeb();
    const forged = await mintToken(FORGER, 'alice', 60);
    let failed = 0;
    let throttled = 0;
    let connections = 0;
    const t0 = Date.now();
    // Bounded in time and count; three sign-ins per connection (auth.maxFailures closes it).
    while (Date.now() - t0 < 2000 && connections < 500) {
      connections++;
      const r = await signIns(web.ws, '127.0.0.1', [forged, forged, forged]);
      failed += r.failed;
      throttled += r.throttled.length;
      for (const f of r.throttled) {
        expect(f.retryAfterMs).toBeGreaterThan(0);
        expect(f.path).toBe('token');
      }
    }
    // 3 free, then waits of 1 s and 2 s: at most 5 checked in 2 s.
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(failed).toBeLessThanOrEqual(5);
    expect(throttled).toBeGreaterThan(0);
    // Fixed and signed tokens alike work for the real users from other addresses.
    expect((await signIns(web.ws, '127.0.0.2', [TOKENS.alice])).welcome).toBe(true);
    expect((await signIns(web.ws, '127.0.0.3', [await mintToken(SECRET, 'alice', 60)])).welcome).toBe(true);
    expect(await metric(web.http, 'cpim_auth_failures_total')).toBe(failed);
    expect(await metric(web.http, 'cpim_auth_throttled_total')).toBe(throttled);
    const line = web.gw.logs().find((l) => l['msg'] === 'authentication failed');
    expect(line).toMatchObject({ level: 40, listener: 'web', account: 'alice', remote: '127.0.0.1' });
  });

  it('forged tokens for alice from 30 addresses cannot lock alice out where she signed in before', async () => {
    const web = await startWeb();
    const real = await mintToken(SECRET, 'alice', 60);
    expect((await signIns(web.ws, '127.0.0.2', [real])).welcome).toBe(true);
    const forged = await mintToken(FORGER, 'alice', 60);
    let failed = 0;
    let throttled = 0;
    for (let i = 10; i < 40; i++) {
      const r = await signIns(web.ws, `127.0.0.${i}`, [forged, forged, forged]);
      failed += r.failed;
      throttled += r.throttled.length;
    }
    // 10 free for alice from unknown addresses, then waits of 1 s, 2 s, ...
    expect(failed).toBeLessThanOrEqual(13);
    expect(failed + throttled).toBe(90);
    expect((await signIns(web.ws, '127.0.0.2', [real])).welcome).toBe(true);
    // bob at a guessing address is not delayed.
    expect((await signIns(web.ws, '127.0.0.10', [TOKENS.bob])).welcome).toBe(true);
    // alice with a signed token from a fresh address waits like the guesser (the documented price).
    const fresh = await signIns(web.ws, '127.0.0.200', [real]);
    expect(fresh.welcome).toBe(false);
    expect(fresh.throttled).toHaveLength(1);
  });
});
