/**
 * Property: random sequences of insert-mapping / delete-mapping / set-class / change (and
 * subscribes) keep the mapping numbering that of a plain list model (draft §15.3, §15.8; part 3
 * rows 36, 39), and every subscribed watcher's last notified view equals what the store now shows
 * it (rows 38, 41, 42; part 4 row 17: a watcher whose view became "denied" was terminated).
 */
import fc from 'fast-check';
import type { Header } from '../protocol/index.js';
import { describe, expect, it } from 'vitest';
import { matchPattern, parseAddress, parsePattern } from '../model/index.js';
import { FakeEndpoint, client, peer } from '../../test/support/router-fakes.js';
import { dec, enc, headerOf, headersOf, op } from '../../test/support/router-ops.js';
import { Router, type Origin } from './index.js';

const ALICE = 'presence:alice@a.example';
const PATTERNS = [
  '*',
  'presence:*@a.example',
  'presence:bob@a.example',
  'presence:carol@a.example',
  'presence:*@b.example',
  'presence:*@*.example',
  'im:*',
];
const WATCHERS = [
  'presence:bob@a.example',
  'presence:carol@a.example',
  'presence:dave@a.example',
  'presence:zed@b.example',
];

type Cmd =
  | { kind: 'insert'; index: number; patterns: number[]; pi: boolean }
  | { kind: 'delete'; index: number }
  | { kind: 'set-class'; index: number; patterns: number[] }
  | { kind: 'change'; index: number; pi: boolean }
  | { kind: 'subscribe'; watcher: number };

const index = fc.integer({ min: 0, max: 7 });
const classOf = fc.uniqueArray(fc.integer({ min: 0, max: PATTERNS.length - 1 }), { maxLength: 3 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), index, patterns: classOf, pi: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), index }),
  fc.record({ kind: fc.constant('set-class' as const), index, patterns: classOf }),
  fc.record({ kind: fc.constant('change' as const), index, pi: fc.boolean() }),
  fc.record({
    kind: fc.constant('subscribe' as const),
    watcher: fc.integer({ min: 0, max: WATCHERS.length - 1 }),
  }),
);

interface ModelMapping {
  patterns: string[];
  pi: string | null;
}

function modelView(model: ModelMapping[], watcher: string): string | null {
  const w = parseAddress(watcher);
  for (const m of model) if (m.patterns.some((p) => matchPattern(parsePattern(p), w))) return m.pi;
  return null;
}

interface WatcherState {
  readonly uri: string;
  readonly origin: Origin;
  readonly ep: FakeEndpoint;
  seen: number;
  subscribed: boolean;
  last: string | null;
}

async function runSequence(cmds: Cmd[]): Promise<void> {
  const zedLink = new FakeEndpoint('link-to-b');
  const router = new Router({ domains: ['a.example'], routes: (d) => (d === 'b.example' ? zedLink : null) });
  const owner = client(['im:alice@a.example']);
  const model: ModelMapping[] = [];
  let serial = 0;
  let created = false;
  const watchers: WatcherState[] = WATCHERS.map((uri, i) => {
    const local = uri.endsWith('@a.example');
    const ep = local ? new FakeEndpoint(`w${i}`) : zedLink;
    return {
      uri,
      ep,
      origin: local ? client([uri], ep) : peer('b.example'),
      seen: 0,
      subscribed: false,
      last: null,
    };
  });
  const store = (method: string, i: number, extra: Header[] = [], payload?: string) =>
    router.handle(
      op(
        'pitp',
        method,
        [['Presentity', ALICE], ['Mapping', String(i)], ...extra],
        payload === undefined ? undefined : enc(payload),
      ),
      owner,
    );

  for (const c of cmds) {
    const n = model.length;
    if (c.kind === 'subscribe') {
      const w = watchers[c.watcher]!;
      const token = w.origin.kind === 'client' ? '' : 'k1';
      const a = await router.handle(
        op('pitp', 'subscribe', [
          ['Subscription', `${token}/${w.uri}`],
          ['Presentity', ALICE],
        ]),
        w.origin,
      );
      const view = modelView(model, w.uri);
      if (!created) expect(headerOf(a, 'Error-Type')).toBe('target-not-found');
      else if (view === null) expect(headerOf(a, 'Error-Type')).toBe('target-authorization');
      else {
        expect(dec(a.payload)).toBe(view);
        w.subscribed = true;
        w.last = view;
      }
    } else {
      const valid = c.kind === 'insert' ? c.index >= 1 && c.index <= n + 1 : c.index >= 1 && c.index <= n;
      const pi = 'pi' in c && c.pi ? `pi-${++serial}` : undefined;
      const wp = 'patterns' in c ? c.patterns.map((p): Header => ['Wpattern', PATTERNS[p]!]) : [];
      const a = await store(
        c.kind === 'insert' ? 'insert-mapping' : c.kind === 'delete' ? 'delete-mapping' : c.kind,
        c.index,
        wp,
        pi,
      );
      if (!valid) {
        expect(headerOf(a, 'Error-Type')).toBe(c.index === 0 ? 'malformed' : 'mapping-range');
        continue;
      }
      expect(a.status).toBe('ok');
      const patterns = 'patterns' in c ? c.patterns.map((p) => PATTERNS[p]!) : [];
      if (c.kind === 'insert') created = true;
      if (c.kind === 'insert') model.splice(c.index - 1, 0, { patterns, pi: pi ?? null });
      else if (c.kind === 'delete') {
        model.splice(c.index - 1, 1);
        // A store left without mappings is gone (pitp-store.ts, issue 12): as if never created.
        if (model.length === 0) created = false;
      } else if (c.kind === 'set-class') model[c.index - 1]!.patterns = patterns;
      else model[c.index - 1]!.pi = pi ?? null;
    }
    await router.settle();

    // Notifies received since the last step, per watcher.
    for (const w of watchers) {
      const mine = w.ep.received.filter((o) => headerOf(o, 'Subscription')!.endsWith('/' + w.uri));
      for (const o of mine.slice(w.seen)) {
        if (o.method === 'change-notify') w.last = dec(o.payload);
        else if (o.method === 'terminate-notify') {
          w.subscribed = false;
          w.last = null;
        }
      }
      w.seen = mine.length;
    }
    for (const w of watchers) {
      const view = modelView(model, w.uri);
      if (w.subscribed) expect(w.last, w.uri).toBe(view);
      else expect(w.last).toBeNull();
    }

    // Numbering: get-class i answers mapping i's class, count+1 is out of range.
    for (let i = 1; i <= model.length; i++) {
      const g = await store('get-class', i);
      expect(headersOf(g, 'Wpattern')).toEqual(model[i - 1]!.patterns.map((p) => formatHudson(p)));
      const f = await store('fetch-for-update', i);
      expect(f.payload === undefined ? null : dec(f.payload)).toBe(model[i - 1]!.pi);
    }
    expect(headerOf(await store('get-class', model.length + 1), 'Error-Type')).toBe('mapping-range');
    const wi = await router.handle(op('pitp', 'start-wi', [['Presentity', ALICE]]), owner);
    expect(headersOf(wi, 'Subscription')).toHaveLength(watchers.filter((w) => w.subscribed).length);
  }
}

function formatHudson(p: string): string {
  return p.replace(/^pres:/, 'presence:');
}

describe('presence store property (fast-check)', () => {
  it('numbering stays consistent and every watcher last saw its current view', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { maxLength: 30 }), (cmds) => runSequence(cmds)),
      { numRuns: 150 },
    );
  });
});
