/**
 * docs/cpim.md part 5 rows 26-34 and 40-45, with the abstract CPIM/CPP operations expressed in IMTP and
 * PITP as docs/hub-protocol.md parts 5.2 and 5.3 map them, driven by message-op-vectors.json and
 * subscribe-op-vectors.json. Status mapping (part 5.2): ok = success, ok + Unreliable =
 * indeterminant, error = failure. MaxForwards travels in the Max-Forwards extension header.
 */
import { readFileSync } from 'node:fs';
import type { Answer, Header } from '../protocol/index.js';
import { describe, expect, it } from 'vitest';
import { Deferred, FakeEndpoint, client, peer } from '../../test/support/router-fakes.js';
import { OK, enc, err, headerOf, headersOf, op, send } from '../../test/support/router-ops.js';
import { VECTOR_DIR } from '../../test/support/vectors.js';
import { Router, type Operation, type Origin } from './index.js';

interface MessageCase {
  id: string;
  op: { source: string; destination: string; MaxForwards: number; TransID: string; content_type?: string };
  response?: { TransID: string; status: string };
}
interface SubscribeCase {
  id: string;
  op: {
    op: string;
    watcher: string;
    target: string;
    duration?: number;
    SubscriptID?: string;
    TransID: string;
  };
  response: { TransID: string; status: string } | null;
}

const json = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, VECTOR_DIR), 'utf8')) as T;
const M = new Map(json<{ cases: MessageCase[] }>('message-op-vectors.json').cases.map((c) => [c.id, c]));
const S = new Map(json<{ cases: SubscribeCase[] }>('subscribe-op-vectors.json').cases.map((c) => [c.id, c]));
const m = (id: string) => M.get(id)!;
const s = (id: string) => S.get(id)!;

function cpimStatus(a: Answer): string {
  if (a.status === 'error') return 'failure';
  return headerOf(a, 'Unreliable') === undefined ? 'success' : 'indeterminant';
}

/** The world of the message vectors: example.com is ours, bob listens there, two gateways beyond. */
function messageWorld() {
  const xmpp = new FakeEndpoint('xmpp', () => ({
    status: 'ok',
    headers: [['Unreliable', 'xmpp.example.net']],
  }));
  const sip = new FakeEndpoint('sip', () => OK, 'sip.example.net');
  const router = new Router({
    domains: ['example.com'],
    routes: (d) => (d === 'sip.example.net' ? sip : null),
  });
  router.registerDomain('xmpp.example.net', xmpp, { presence: 'none' });
  const bob = new FakeEndpoint('bob');
  const alice = client(['im:alice@example.com']);
  return { router, xmpp, sip, bob, alice };
}

/** The hub send for a CPIM message operation (part 5.2): source→Sender, destination→Inbox. */
function sendOf(c: MessageCase, payload = enc('hello')): Operation {
  const extra: Header[] = [['Max-Forwards', String(c.op.MaxForwards)]];
  if (c.op.content_type) extra.push(['Content-Type', c.op.content_type]);
  return send(c.op.source, c.op.destination, payload, extra);
}

async function withBobListening(w: ReturnType<typeof messageWorld>) {
  await w.router.handle(
    op('imtp', 'listen', [['Inbox', 'im:bob@example.com']]),
    client(['im:bob@example.com'], w.bob),
  );
}

describe('CPIM message operation over IMTP (docs/cpim.md rows 26-34)', () => {
  it('row 26: each response answers its own request (TransID kept by the bridge, not the router)', async () => {
    const w = messageWorld();
    await withBobListening(w);
    const gates: Deferred<Answer>[] = [];
    w.bob.respond = () => {
      const g = new Deferred<Answer>();
      gates.push(g);
      return g.promise;
    };
    // The bridge's table (part 5.2): one pending hub operation per TransID.
    const ids = ['M1', 'M10'];
    const pending = ids.map((id) =>
      w.router.handle(sendOf(m(id)), w.alice).then((a) => [m(id).op.TransID, a] as const),
    );
    await new Promise((r) => setTimeout(r, 5));
    // Answer out of order.
    gates[1]!.resolve(OK);
    gates[0]!.resolve(err('resources'));
    const done = await Promise.all(pending);
    expect(done.map(([t, a]) => [t, cpimStatus(a)])).toEqual([
      [m('M1').op.TransID, 'failure'],
      [m('M10').op.TransID, 'success'],
    ]);
    // No TransID reaches the hub operation.
    for (const o of w.bob.received) for (const [, v] of o.headers) expect(v).not.toContain('t-0001');
  });

  it('row 27: a 40-octet TransID (M10) is handled', async () => {
    const w = messageWorld();
    await withBobListening(w);
    const c = m('M10');
    expect(c.op.TransID).toHaveLength(40);
    expect(cpimStatus(await w.router.handle(sendOf(c), w.alice))).toBe(c.response!.status);
  });

  it('row 28: an invalid source or destination is a failure (M2)', async () => {
    const w = messageWorld();
    await withBobListening(w);
    const a = await w.router.handle(sendOf(m('M2')), w.alice);
    expect(cpimStatus(a)).toBe(m('M2').response!.status);
    expect(headerOf(a, 'Error-Type')).toBe('malformed');
    const badDest = await w.router.handle(send('im:alice@example.com', 'im:bob'), w.alice);
    expect(headerOf(badDest, 'Error-Type')).toBe('malformed');
  });

  it('row 29: an unresolvable destination is a failure (M3)', async () => {
    const w = messageWorld();
    const a = await w.router.handle(sendOf(m('M3')), w.alice);
    expect(cpimStatus(a)).toBe(m('M3').response!.status);
    expect(headerOf(a, 'Error-Type')).toBe('target-not-found');
  });

  it('row 30: access control refusing the requester is a failure (M4)', async () => {
    const w = messageWorld();
    await withBobListening(w);
    const a = await w.router.handle(sendOf(m('M4')), w.alice);
    expect(cpimStatus(a)).toBe(m('M4').response!.status);
    expect(headerOf(a, 'Error-Type')).toBe('source-authorization');
    expect(w.bob.received).toHaveLength(0);
    // M5: the final recipient cannot deliver.
    w.bob.respond = () => err('resources');
    expect(cpimStatus(await w.router.handle(sendOf(m('M5')), w.alice))).toBe(m('M5').response!.status);
  });

  it('row 31: no future authority ⇒ indeterminant (M6); with one ⇒ its answer, after it arrives (M7)', async () => {
    const w = messageWorld();
    expect(cpimStatus(await w.router.handle(sendOf(m('M6')), w.alice))).toBe(m('M6').response!.status);
    const gate = new Deferred<Answer>();
    w.sip.respond = () => gate.promise;
    let done = false;
    const p = w.router.handle(sendOf(m('M7')), w.alice).then((a) => ((done = true), a));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    gate.resolve(err('no-listeners'));
    expect(cpimStatus(await p)).toBe(m('M7').response!.status);
  });

  it('row 32: a relay decrements MaxForwards; 0 on receipt is discarded with failure (M8, M9)', async () => {
    const w = messageWorld();
    await withBobListening(w);
    const m8 = await w.router.handle(sendOf(m('M8')), w.alice);
    expect(cpimStatus(m8)).toBe(m('M8').response!.status);
    expect(headerOf(m8, 'Error-Type')).toBe('loop');
    expect(w.bob.received).toHaveLength(0);
    const m9 = await w.router.handle(sendOf(m('M9')), w.alice);
    expect(m9.status).toBe('ok');
    expect(headersOf(w.bob.received[0], 'Max-Forwards')).toEqual([String(m('M9').op.MaxForwards - 1)]);
    // The next hop receiving that 0 fails it.
    const next = new Router({ domains: ['example.com'], visitedToken: 'other.example.com' });
    const again = await next.handle(w.bob.received[0]!, peer('example.com'));
    expect(headerOf(again, 'Error-Type')).toBe('loop');
  });

  it('row 33: without a carried count the hop count starts above 100 (128 − len(Visited))', async () => {
    const w = messageWorld();
    await withBobListening(w);
    await w.router.handle(send('im:alice@example.com', 'im:bob@example.com'), w.alice);
    expect(headerOf(w.bob.received[0], 'Max-Forwards')).toBe('127');
    await w.router.handle(
      send('im:x@example.org', 'im:bob@example.com', 'x', [['Visited', 'a.example b.example']]),
      peer('example.org'),
    );
    expect(headerOf(w.bob.received[1], 'Max-Forwards')).toBe('125');
  });

  it('row 34: Message/CPIM content is relayed without modification (M11)', async () => {
    const w = messageWorld();
    const c = m('M11');
    const octets = readFileSync(new URL('cpim-25-body-with-blank-lines.txt', VECTOR_DIR));
    const payload = new Uint8Array(octets);
    await withBobListening(w);
    expect(cpimStatus(await w.router.handle(sendOf(c, payload), w.alice))).toBe('success');
    const got = w.bob.received[0]!;
    expect(headerOf(got, 'Content-Type')).toBe(c.op.content_type);
    expect(Buffer.from(got.payload!).equals(octets)).toBe(true);
  });
});

const PIDF = 'application/pidf+xml';
const pidf = (n: string) => readFileSync(new URL(n, VECTOR_DIR));
const PIDF_FILES = [
  'pidf-01-rfc3863-prefixed.xml',
  'pidf-02-rfc3863-default-ns.xml',
  'pidf-03-rfc3863-status-extension.xml',
  'pidf-04-rfc3863-two-tuples.xml',
  'pidf-05-rfc3863-other-extensions.xml',
  'pidf-07-rfc4480-rpid.xml',
];

/** The world of the subscribe vectors: bob@example.com lets alice see him, nobody else. */
async function presenceWorld() {
  const router = new Router({ domains: ['example.com'] });
  const owner = client(['im:bob@example.com']);
  const store = (method: string, h: Header[], payload?: Uint8Array) =>
    router.handle(op('pitp', method, [['Presentity', 'presence:bob@example.com'], ...h], payload), owner);
  await store(
    'insert-mapping',
    [
      ['Mapping', '1'],
      ['Wpattern', 'presence:alice@example.com'],
      ['Content-Type', PIDF],
    ],
    pidf(PIDF_FILES[0]!),
  );
  const aliceEp = new FakeEndpoint('alice');
  const alice = client(['im:alice@example.com'], aliceEp);
  /** Mapping 1's PI becomes the PIDF vector `file`. */
  const changeTo = (file: string) =>
    store(
      'change',
      [
        ['Mapping', '1'],
        ['Content-Type', PIDF],
      ],
      pidf(file),
    );
  return { router, store, changeTo, alice, aliceEp };
}

/** CPP subscribe → PITP subscribe (part 5.3): watcher → Subscription URL (blank token from a client), target → Presentity. */
function subscribeOf(c: SubscribeCase, method = 'subscribe'): Operation {
  return op('pitp', method, [
    ['Subscription', `/${c.op.watcher}`],
    ['Presentity', c.op.target],
  ]);
}

describe('CPP subscribe/notify over PITP (docs/cpim.md rows 40-45)', () => {
  it('row 40: subscribe carries watcher and target; notify carries them back (S1)', async () => {
    const w = await presenceWorld();
    const c = s('S1');
    const a = await w.router.handle(subscribeOf(c), w.alice);
    expect(a.status === 'ok' ? 'success' : 'failure').toBe(c.response!.status);
    await w.changeTo(PIDF_FILES[1]!);
    await w.router.settle();
    const n = w.aliceEp.last('change-notify')!;
    expect(headerOf(n, 'Presentity')).toBe(c.op.target);
    expect(headerOf(n, 'Subscription')).toBe(`/${c.op.watcher}`);
  });

  it('row 41: invalid target, refused access and a repeated subscription (S3, S4, S5)', async () => {
    const w = await presenceWorld();
    const s3 = await w.router.handle(subscribeOf(s('S3')), w.alice);
    expect(s3.status === 'ok' ? 'success' : 'failure').toBe(s('S3').response!.status);
    expect(headerOf(s3, 'Error-Type')).toBe('malformed');
    const s4 = await w.router.handle(subscribeOf(s('S4')), peer('example.org'));
    expect(s4.status === 'ok' ? 'success' : 'failure').toBe(s('S4').response!.status);
    expect(headerOf(s4, 'Error-Type')).toBe('target-authorization');
    // S5: the hub keeps one subscription per (token, watcher, presentity); the CPP bridge answers
    // the duplicate SubscriptID with failure from its own table (part 5.3). The watcher never hears
    // a change twice.
    await w.router.handle(subscribeOf(s('S1')), w.alice);
    await w.router.handle(subscribeOf(s('S5')), w.alice);
    const wi = await w.store('start-wi', []);
    expect(headersOf(wi, 'Subscription')).toHaveLength(1);
    await w.store('change', [['Mapping', '1']], enc('<x/>'));
    await w.router.settle();
    expect(w.aliceEp.of('change-notify')).toHaveLength(1);
  });

  it('row 42: success brings the current PI at once, then a notify on each change (S1, S2)', async () => {
    const w = await presenceWorld();
    const a = await w.router.handle(subscribeOf(s('S2')), w.alice);
    expect(Buffer.from(a.payload!).equals(pidf(PIDF_FILES[0]!))).toBe(true);
    for (const f of PIDF_FILES.slice(1, 3)) await w.changeTo(f);
    await w.router.settle();
    expect(w.aliceEp.of('change-notify')).toHaveLength(2);
  });

  it('row 43: duration 0 = fetch (S6) or cancel (S7), each with one PI and nothing after', async () => {
    const w = await presenceWorld();
    const c6 = s('S6');
    const f = await w.router.handle(
      op('pitp', 'fetch', [
        ['Watcher', c6.op.watcher],
        ['Presentity', c6.op.target],
      ]),
      w.alice,
    );
    expect(f.status === 'ok' ? 'success' : 'failure').toBe(c6.response!.status);
    expect(f.payload).toBeDefined();
    await w.router.handle(subscribeOf(s('S1')), w.alice);
    const cancel = await w.router.handle(subscribeOf(s('S7'), 'unsubscribe'), w.alice);
    expect(cancel.status === 'ok' ? 'success' : 'failure').toBe(s('S7').response!.status);
    await w.store('change', [['Mapping', '1']], enc('<later/>'));
    await w.router.settle();
    expect(w.aliceEp.of('change-notify')).toHaveLength(0);
  });

  it('row 44: a notify is never waited for by the presentity side (S8)', async () => {
    const w = await presenceWorld();
    await w.router.handle(subscribeOf(s('S1')), w.alice);
    w.aliceEp.respond = () => new Promise<Answer>(() => {});
    expect(s('S8').response).toBeNull();
    const a = await w.store('change', [['Mapping', '1']], enc('<x/>'));
    expect(a).toEqual(OK);
    expect(w.aliceEp.of('change-notify')).toHaveLength(1);
  });

  it('row 45: PIDF notify bodies pass through unmodified (pidf-01…07)', async () => {
    const w = await presenceWorld();
    const sub = await w.router.handle(subscribeOf(s('S1')), w.alice);
    expect(Buffer.from(sub.payload!).equals(pidf(PIDF_FILES[0]!))).toBe(true);
    for (const f of PIDF_FILES) {
      await w.changeTo(f);
      await w.router.settle();
      const n = w.aliceEp.last('change-notify')!;
      expect(headerOf(n, 'Content-Type')).toBe(PIDF);
      expect(Buffer.from(n.payload!).equals(pidf(f)), f).toBe(true);
    }
    // Across domains: a foreign presentity server's change-notify reaches the client unchanged.
    const far = new FakeEndpoint('example-org', (o) =>
      o.method === 'subscribe'
        ? { status: 'ok', headers: [['Content-Type', PIDF]], payload: pidf(PIDF_FILES[3]!) }
        : OK,
    );
    const router = new Router({
      domains: ['example.com'],
      routes: (d) => (d === 'example.org' ? far : null),
    });
    const aliceEp = new FakeEndpoint('alice');
    const alice: Origin = client(['im:alice@example.com'], aliceEp);
    const ok = await router.handle(
      op('pitp', 'subscribe', [
        ['Subscription', '/presence:alice@example.com'],
        ['Presentity', 'presence:mallory@example.org'],
      ]),
      alice,
    );
    expect(Buffer.from(ok.payload!).equals(pidf(PIDF_FILES[3]!))).toBe(true);
    const token = headerOf(far.last('subscribe'), 'Subscription')!.split('/')[0]!;
    for (const f of PIDF_FILES) {
      await router.handle(
        op(
          'pitp',
          'change-notify',
          [
            ['Presentity', 'presence:mallory@example.org'],
            ['Subscription', `${token}/presence:alice@example.com`],
            ['Content-Type', PIDF],
          ],
          pidf(f),
        ),
        peer('example.org'),
      );
      expect(Buffer.from(aliceEp.last('change-notify')!.payload!).equals(pidf(f)), f).toBe(true);
    }
  });
});
