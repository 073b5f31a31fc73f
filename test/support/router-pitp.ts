/**
 * Shared world of the PITP router tests: a router for a.example whose route to b.example is a
 * recording fake peer, alice as the presentity owner, and helpers for the common commands.
 * The world is rebuilt by `reset()` (call it in beforeEach); its bindings are live.
 */
import { expect } from 'vitest';
import type { Answer, Header } from '../../src/protocol/index.js';
import { Router, type Origin } from '../../src/router/index.js';
import { FakeEndpoint, client } from './router-fakes.js';
import { OK, enc, op } from './router-ops.js';
import { A, ALICE, PIDF } from './router-pitp-names.js';

export let router: Router;
export let peerB: FakeEndpoint;
export let owner: Origin;

export function pitp(method: string, headers: Header[], payload?: string | Uint8Array) {
  return op('pitp', method, headers, typeof payload === 'string' ? enc(payload) : payload);
}

export async function run(
  method: string,
  headers: Header[],
  origin: Origin = owner,
  payload?: string | Uint8Array,
) {
  return router.handle(pitp(method, headers, payload), origin);
}

export async function insert(index: number, patterns: string[], pi?: string) {
  const headers: Header[] = [
    ['Presentity', ALICE],
    ['Mapping', String(index)],
    ...patterns.map((p): Header => ['Wpattern', p]),
  ];
  if (pi !== undefined) headers.push(['Content-Type', PIDF]);
  const a = await run('insert-mapping', headers, owner, pi);
  expect(a.status).toBe('ok');
}

export async function change(index: number, pi?: string, origin: Origin = owner): Promise<Answer> {
  const headers: Header[] = [
    ['Presentity', ALICE],
    ['Mapping', String(index)],
  ];
  if (pi !== undefined) headers.push(['Content-Type', PIDF]);
  return run('change', headers, origin, pi);
}

export function watcher(id: string): { origin: Origin; ep: FakeEndpoint } {
  const ep = new FakeEndpoint(`w-${id}`);
  return { origin: client([`im:${id}@${A}`], ep), ep };
}

export async function subscribe(w: { origin: Origin }, as: string, presentity = ALICE) {
  return run(
    'subscribe',
    [
      ['Subscription', `/${as}`],
      ['Presentity', presentity],
    ],
    w.origin,
  );
}

export async function fetch(as: string, origin: Origin) {
  return run(
    'fetch',
    [
      ['Watcher', as],
      ['Presentity', ALICE],
    ],
    origin,
  );
}

export function reset(): void {
  peerB = new FakeEndpoint('peer-b', () => OK, 'b.example');
  router = new Router({ domains: [A], routes: (d) => (d === 'b.example' ? peerB : null) });
  owner = client([`im:alice@${A}`], new FakeEndpoint('alice'));
}

/** Replaces the world's router (tests that need other options). */
export function setRouter(r: Router): void {
  router = r;
}
