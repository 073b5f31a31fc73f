/**
 * The gateway and its store (issue 15; docs/storage.md): the store opens before the adapters and
 * listeners and closes after them, the router and every adapter see the same one, a restart on
 * the same file finds what was written, and `backend: none` keeps nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdapterContext, AdapterDefinition } from '../../src/adapter.js';
import type { Store } from '../../src/store/types.js';
import { startTestGateway } from '../support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'cpim-gw-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An adapter that writes to the store when it starts and again when it stops. */
function recordingAdapter(seen: { atStart?: Store | null; stopWrite?: Promise<void> }) {
  const definition: AdapterDefinition<{ domain: string }> = {
    type: 'recorder',
    parseConfig: (raw) => ({ domain: (raw as { domain: string }).domain }),
    create(config, ctx: AdapterContext) {
      return {
        domains: [config.domain],
        capabilities: { presence: 'none' },
        deliver: () => Promise.resolve({ status: 'ok', headers: [] }),
        async start() {
          seen.atStart = ctx.storage?.() ?? null;
          await seen.atStart?.setMapping('recorder', 'started', 'yes');
        },
        async stop() {
          // The store closes after the adapters: a write at stop is still committed.
          seen.stopWrite = ctx.storage?.()?.setMapping('recorder', 'stopped', 'yes');
          await seen.stopWrite;
        },
      };
    },
  };
  return definition as unknown as AdapterDefinition<never>;
}

describe('the gateway opens its store first and closes it last', () => {
  it('adapters and the router share it; a restart on the same file finds what was written', async () => {
    const path = join(dir, 'restart', 'gw.sqlite');
    const seen: { atStart?: Store | null; stopWrite?: Promise<void> } = {};
    const options = {
      adapterDefinitions: [recordingAdapter(seen)],
      config: {
        storage: { path },
        adapters: [{ type: 'recorder', domain: 'rec.test' }],
      },
    };
    const first = await startTestGateway(options);
    const store = first.gateway.store;
    expect(store).not.toBeNull();
    expect(store!.location).toBe(path);
    expect(seen.atStart).toBe(store);
    expect(first.gateway.router.store).toBe(store);
    await first.stop();
    await expect(seen.stopWrite).resolves.toBeUndefined();
    expect(first.gateway.store).toBeNull();
    // Closed: it refuses work.
    await expect(store!.getMapping('recorder', 'started')).rejects.toThrow(/closed/);

    const second = await startTestGateway(options);
    try {
      expect(await second.gateway.store!.listMappings('recorder')).toEqual([
        ['started', 'yes'],
        ['stopped', 'yes'],
      ]);
    } finally {
      await second.stop();
    }
  });

  it('backend none: no store anywhere, and the gateway runs', async () => {
    const seen: { atStart?: Store | null } = {};
    const gw = await startTestGateway({
      adapterDefinitions: [recordingAdapter(seen)],
      config: { storage: { backend: 'none' }, adapters: [{ type: 'recorder', domain: 'rec.test' }] },
    });
    try {
      expect(gw.gateway.store).toBeNull();
      expect(gw.gateway.router.store).toBeNull();
      expect(seen.atStart).toBeNull();
    } finally {
      await gw.stop();
    }
  });

  it('a store that cannot open stops the start before any listener opens', async () => {
    const path = join(dir, 'locked.sqlite');
    const holder = await startTestGateway({ config: { storage: { path } } });
    // Another process's lock, as SQLite sees it: a second connection in an exclusive transaction.
    const { default: Database } = await import('better-sqlite3');
    const lock = new Database(path);
    lock.exec('BEGIN EXCLUSIVE');
    try {
      await expect(startTestGateway({ config: { storage: { path, busyTimeoutMs: 50 } } })).rejects.toThrow(
        `the database ${path} is locked`,
      );
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
      await holder.stop();
    }
  });

  it('history retention runs at start: what is too old or too many is gone', async () => {
    const path = join(dir, 'retention.sqlite');
    const seed = await startTestGateway({ config: { storage: { path } } });
    const now = Date.now();
    for (let i = 0; i < 5; i++)
      await seed.gateway.store!.appendHistory({
        id: `m${i}`,
        conversation: 'im:room@gw.test',
        // m0 is 10 days old; the others are recent.
        time: i === 0 ? now - 10 * 86_400_000 : now - 1000 + i,
        source: 'im:alice@gw.test',
        destination: 'im:room@gw.test',
        contentType: 'message/cpim',
        payload: new Uint8Array([i]),
      });
    await seed.stop();
    const gw = await startTestGateway({
      config: { storage: { path, history: { maxAgeMs: 86_400_000, maxPerConversation: 3 } } },
    });
    try {
      // The first run started with the gateway; wait for it through the store's own queue.
      let kept: string[] = [];
      for (let tries = 0; tries < 100; tries++) {
        kept = (await gw.gateway.store!.readHistory('im:room@gw.test', { limit: 10 })).map((r) => r.id);
        if (kept.length === 3) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(kept).toEqual(['m2', 'm3', 'm4']);
      expect(gw.logs().some((l) => l.msg === 'old history deleted' && l.deleted === 2)).toBe(true);
    } finally {
      await gw.stop();
    }
  });
});
