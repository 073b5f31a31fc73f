/**
 * A dropped notify is never quiet (docs/hub-protocol.md part 3 rows 38, 42): a watcher that misses a
 * change-notify misses a presence change, so the router logs it at warn with the reason,
 * throttled by `warnIntervalMs`.
 */
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/hub-tcp.js';
import { FakeEndpoint, client, peer } from '../../test/support/router-fakes.js';
import { enc, err, op } from '../../test/support/router-ops.js';
import type { Header } from '../protocol/index.js';
import { Router, type Origin } from './index.js';

const A = 'a.example';
const ALICE = `presence:alice@${A}`;
const PIDF = 'application/pidf+xml';
const DROPPED = 'notify dropped; the watcher misses a presence change';

function setup(warnIntervalMs: number) {
  const log = captureLog();
  const router = new Router({ domains: [A], routes: () => null, warnIntervalMs, log: log.log });
  const owner = client([`im:alice@${A}`], new FakeEndpoint('alice'));
  const run = async (method: string, headers: Header[], origin: Origin, payload?: string) => {
    const a = await router.handle(
      op('pitp', method, headers, payload === undefined ? undefined : enc(payload)),
      origin,
    );
    expect(a.status).toBe('ok');
  };
  const mapping = (m: string): Header[] => [
    ['Presentity', ALICE],
    ['Mapping', m],
    ['Content-Type', PIDF],
  ];
  const publish = (pi: string) => run('change', mapping('1'), owner, pi);
  const subscribe = (as: string, origin: Origin) =>
    run(
      'subscribe',
      [
        ['Subscription', origin.kind === 'client' ? `/${as}` : `t1/${as}`],
        ['Presentity', ALICE],
      ],
      origin,
    );
  const warned = () => log.lines.filter((l) => l.msg === DROPPED);
  return { router, owner, run, mapping, publish, subscribe, warned };
}

describe('dropped notifies are logged at warn', () => {
  it('a watcher answering an error: warn with the error type; the subscription stays', async () => {
    const w = setup(10_000);
    await w.run('insert-mapping', [...w.mapping('1'), ['Wpattern', '*']], w.owner, 'one');
    const bob = new FakeEndpoint('bob', () => err('communications'));
    await w.subscribe(`presence:bob@${A}`, client([`im:bob@${A}`], bob));
    expect(w.warned()).toHaveLength(0);
    await w.publish('two');
    await w.router.settle();
    expect(bob.of('change-notify')).toHaveLength(1);
    expect(w.warned()).toHaveLength(1);
    expect(w.warned()[0]).toMatchObject({
      level: 40,
      watcher: `pres:bob@${A}`,
      method: 'change-notify',
      reason: 'watcher answered communications',
      suppressed: 0,
    });
    // Not `not-subscribed`: the watcher keeps its subscription and hears the next change.
    await w.publish('three');
    await w.router.settle();
    expect(bob.of('change-notify')).toHaveLength(2);
  });

  it('a foreign watcher with no route to its domain: warn "no route", once per interval', async () => {
    const w = setup(60_000);
    await w.run('insert-mapping', [...w.mapping('1'), ['Wpattern', '*']], w.owner, 'one');
    await w.subscribe('presence:zed@c.example', peer('c.example'));
    await w.publish('two');
    await w.router.settle();
    expect(w.warned()).toHaveLength(1);
    expect(w.warned()[0]).toMatchObject({
      level: 40,
      watcher: 'pres:zed@c.example',
      reason: 'no route to c.example',
    });
    // The same drop again within the interval is counted, not logged.
    await w.publish('three');
    await w.router.settle();
    expect(w.warned()).toHaveLength(1);
  });

  it('a watcher endpoint that throws: warn with its message', async () => {
    const w = setup(0);
    await w.run('insert-mapping', [...w.mapping('1'), ['Wpattern', '*']], w.owner, 'one');
    const bob = new FakeEndpoint('bob');
    await w.subscribe(`presence:bob@${A}`, client([`im:bob@${A}`], bob));
    bob.respond = () => {
      throw new Error('connection closed');
    };
    await w.publish('two');
    await w.router.settle();
    expect(w.warned()[0]).toMatchObject({ level: 40, reason: 'connection closed' });
  });
});
