import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { storageSchema } from '../config/storage-schema.js';
import { openStore } from './index.js';
import { KeptMap } from './kept-map.js';
import type { Store } from './types.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
const open: Store[] = [];

async function sqlite(path: string): Promise<Store> {
  const s = await openStore(storageSchema.parse({ backend: 'sqlite', path }), { log });
  open.push(s!);
  return s!;
}

function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'kept-map-'));
  dirs.push(d);
  return join(d, 'gw.sqlite');
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('KeptMap', () => {
  it('keeps its entries across a close and a reopen of the store file', async () => {
    const file = tempFile();
    const first = await sqlite(file);
    const a = new KeptMap(first, 'irc:x:nick', { max: 10 });
    await a.load();
    await a.set('im:alice@hub', 'alice1[gw]');
    await a.set('im:bob@hub', 'bob[gw]');
    await first.close();

    const b = new KeptMap(await sqlite(file), 'irc:x:nick', { max: 10 });
    expect(b.get('im:alice@hub')).toBeUndefined();
    await b.load();
    expect(b.get('im:alice@hub')).toBe('alice1[gw]');
    expect(b.get('im:bob@hub')).toBe('bob[gw]');
    expect(b.size).toBe(2);
  });

  it('holds at most `max` entries, in memory and in the store, through 1,000 keys (BOUNDS.md)', async () => {
    const store = await sqlite(':memory:');
    let t = 0;
    const m = new KeptMap(store, 'ns', { max: 25, now: () => ++t });
    for (let i = 0; i < 1000; i++) await m.set(`k${i}`, `v${i}`);
    // Over `max`, the oldest sixteenth goes at once (kept-map.ts makeRoom): 24 or 25 remain.
    expect(m.size).toBeLessThanOrEqual(25);
    expect(m.size).toBeGreaterThanOrEqual(24);
    const rows = await store.listMappings('ns');
    expect(rows.length).toBe(m.size);
    const newest = Array.from({ length: m.size }, (_, i) => `k${1000 - m.size + i}`);
    expect(rows.map(([k]) => k).sort()).toEqual(newest.sort());
  });

  it('loads the newest `max` rows by their time and deletes the rest', async () => {
    const store = await sqlite(':memory:');
    let t = 0;
    const wide = new KeptMap(store, 'ns', { max: 100, now: () => ++t });
    for (let i = 0; i < 10; i++) await wide.set(`k${i}`, `v${i}`);
    const narrow = new KeptMap(store, 'ns', { max: 3 });
    await narrow.load();
    expect([narrow.get('k7'), narrow.get('k8'), narrow.get('k9'), narrow.get('k6')]).toEqual([
      'v7',
      'v8',
      'v9',
      undefined,
    ]);
    await store.getMapping('ns', 'k0'); // a read after the deletes were batched
    expect((await store.listMappings('ns')).length).toBe(3);
  });

  it('shares a namespace with another map by key prefix, each loading only its own rows', async () => {
    const store = await sqlite(':memory:');
    const c = new KeptMap(store, 'ns', { max: 1, keyPrefix: 'c:' });
    const m = new KeptMap(store, 'ns', { max: 1, keyPrefix: 'm:' });
    await c.set('c:1', 'a');
    await m.set('m:1', 'b');
    const rows = await store.listMappings('ns');
    const c2 = new KeptMap(store, 'ns', { max: 1, keyPrefix: 'c:' });
    const m2 = new KeptMap(store, 'ns', { max: 1, keyPrefix: 'm:' });
    await c2.load(rows);
    await m2.load(rows);
    expect([c2.get('c:1'), m2.get('m:1'), c2.size, m2.size]).toEqual(['a', 'b', 1, 1]);
  });

  it('forgets at exit without a store', async () => {
    const m = new KeptMap(null, 'ns', { max: 2 });
    await m.load();
    await m.set('a', '1');
    await m.set('b', '2');
    await m.set('c', '3');
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([undefined, '2', '3']);
  });
});
