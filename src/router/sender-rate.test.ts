import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/hub-tcp.js';
import { FakeEndpoint, adapter, client, peer } from '../../test/support/router-fakes.js';
import { OK, headerOf, send } from '../../test/support/router-ops.js';
import { ManualClock, RATE_LIMITED, isRateLimited } from '../policy/index.js';
import { Router } from './index.js';

const A = 'a.example';

function setup(clock: ManualClock, log = captureLog()) {
  const bob = new FakeEndpoint('bob', () => OK);
  const peerB = new FakeEndpoint('peer-b', () => OK, 'b.example');
  const router = new Router({
    domains: [A],
    routes: (d) => (d === 'b.example' ? peerB : null),
    senderRate: { messagesPerSecond: 1, burst: 2, maxSenders: 100, warnIntervalMs: 1000, clock: clock.read },
    log: log.log,
  });
  return { router, bob, peerB, log };
}

async function listen(router: Router, inbox: string, ep: FakeEndpoint) {
  const a = await router.handle(
    { protocol: 'imtp', method: 'listen', headers: [['Inbox', inbox]] },
    client([inbox], ep),
  );
  expect(a.status).toBe('ok');
}

describe('per-sender message rate in the router (issue 12)', () => {
  it('answers quota with an Error-Description past the burst, per sender, and refills at the rate', async () => {
    const clock = new ManualClock(1000);
    const { router, bob } = setup(clock);
    await listen(router, `im:bob@${A}`, bob);
    const alice = client([`im:alice@${A}`, `im:carol@${A}`]);
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(await router.handle(send(`im:alice@${A}`, `im:bob@${A}`), alice));
    expect(answers.map((a) => a.status)).toEqual(['ok', 'ok', 'error', 'error']);
    expect(headerOf(answers[2], 'Error-Type')).toBe('quota');
    expect(headerOf(answers[2], 'Error-Description')).toBe(
      `${RATE_LIMITED}: at most 1 messages per second (burst 2)`,
    );
    expect(isRateLimited(answers[3]!)).toBe(true);
    // The refused sends never reached the listener.
    expect(bob.received).toHaveLength(2);
    // Another sender on the same connection has its own bucket.
    expect((await router.handle(send(`im:carol@${A}`, `im:bob@${A}`), alice)).status).toBe('ok');
    clock.advance(1000);
    expect((await router.handle(send(`im:alice@${A}`, `im:bob@${A}`), alice)).status).toBe('ok');
    expect((await router.handle(send(`im:alice@${A}`, `im:bob@${A}`), alice)).status).toBe('error');
  });

  it('counts a sender across connections, and applies to peers and adapters alike', async () => {
    const clock = new ManualClock();
    const { router, bob } = setup(clock);
    await listen(router, `im:bob@${A}`, bob);
    const c1 = client([`im:alice@${A}`]);
    const c2 = client([`im:alice@${A}`]);
    const statuses = [];
    for (const c of [c1, c2, c1])
      statuses.push((await router.handle(send(`im:alice@${A}`, `im:bob@${A}`), c)).status);
    expect(statuses).toEqual(['ok', 'ok', 'error']);
    // A peer's user.
    const fromB = peer('b.example');
    const peerStatuses = [];
    for (let i = 0; i < 3; i++)
      peerStatuses.push((await router.handle(send('im:zed@b.example', `im:bob@${A}`), fromB)).status);
    expect(peerStatuses).toEqual(['ok', 'ok', 'error']);
  });

  it("an adapter's domain uses the rate it registered for its users", async () => {
    const clock = new ManualClock();
    const { router, bob } = setup(clock);
    await listen(router, `im:bob@${A}`, bob);
    const web = new FakeEndpoint('web');
    const off = router.registerDomain('web.example', web, {
      presence: 'none',
      senderRate: { ratePerSecond: 1, burst: 4 },
    });
    const from = adapter(web);
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await router.handle(send('im:u@web.example', `im:bob@${A}`), from)).status);
    expect(statuses).toEqual(['ok', 'ok', 'ok', 'ok', 'error']);
    off();
  });

  it("counts each author behind an adapter or peer bridge (Orig-Sender), but not a client's claim", async () => {
    const clock = new ManualClock();
    const { router, bob } = setup(clock);
    await listen(router, `im:bob@${A}`, bob);
    const irc = new FakeEndpoint('irc');
    router.registerDomain('irc.example', irc, { presence: 'none' });
    const chan = (author: string) =>
      send('im:%23dev@irc.example', `im:bob@${A}`, 'line', [['Orig-Sender', `im:${author}@irc.example`]]);
    const statuses: string[] = [];
    for (const author of ['dave', 'erin', 'dave', 'erin', 'dave'])
      statuses.push((await router.handle(chan(author), adapter(irc))).status);
    // Burst 2 each: dave's third line is refused, erin's two pass although the Sender is one channel.
    expect(statuses).toEqual(['ok', 'ok', 'ok', 'ok', 'error']);
    // A hub client cannot spread its sends over invented Orig-Senders: it may not claim them
    // at all (identity.ts); its sends still count under its Sender, so the third is over the rate.
    const alice = client([`im:alice@${A}`]);
    const claims: string[] = [];
    for (const who of ['x', 'y', 'z'])
      claims.push(
        (
          await router.handle(
            send(`im:alice@${A}`, `im:bob@${A}`, 'hi', [['Orig-Sender', `im:${who}@${A}`]]),
            alice,
          )
        ).headers.find((h) => h[0] === 'Error-Type')?.[1] ?? 'ok',
      );
    expect(claims).toEqual(['source-authorization', 'source-authorization', 'quota']);
  });

  it('logs one warn line per interval however many sends it refuses', async () => {
    const clock = new ManualClock();
    const { router, bob, log } = setup(clock);
    await listen(router, `im:bob@${A}`, bob);
    const alice = client([`im:alice@${A}`]);
    for (let i = 0; i < 50; i++) await router.handle(send(`im:alice@${A}`, `im:bob@${A}`), alice);
    const warned = () => log.lines.filter((l) => l.msg === 'sender rate limit exceeded, answered quota');
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toMatchObject({ level: 40, sender: `im:alice@${A}`, suppressed: 0 });
    clock.advance(1000);
    // After the interval (one token back): 1 ok, then refusals; one more line saying 47 were quiet.
    for (let i = 0; i < 5; i++) await router.handle(send(`im:alice@${A}`, `im:bob@${A}`), alice);
    expect(warned()).toHaveLength(2);
    expect(warned()[1]).toMatchObject({ suppressed: 47 });
  });

  it('keeps at most maxSenders buckets however many senders come and go', async () => {
    const clock = new ManualClock();
    const { router } = setup(clock);
    const fromB = peer('b.example');
    for (let i = 0; i < 1000; i++) {
      const a = await router.handle(send(`im:u${i}@b.example`, `im:bob@${A}`), fromB);
      // bob is not listening: past the rate check, the answer is no-listeners, never quota.
      expect(headerOf(a, 'Error-Type')).toBe('no-listeners');
    }
    expect(router.trackedSenders).toBeLessThanOrEqual(100);
  });
});
