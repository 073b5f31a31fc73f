/**
 * Configurations of the store benchmark (bench/store.ts, bench/store-offline.ts): the relay
 * benchmark's gateway (bench/lib/configs.ts) with a `storage:` section, and a fresh SQLite file in
 * a temporary folder per run (never ./data).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayConfig } from './lib/configs.js';
import { INBOX } from './relay.js';

/** The room of the room runs: bob (the listener) is its member; alice posts without being one. */
export const ROOM = 'im:bench@gw.test';

/**
 * A fresh SQLite store in its own temporary folder, removed by `done()`; `writerThread: true`
 * moves SQLite to its own thread (docs/storage.md, "The writer thread").
 */
export function tempStore(writerThread = false): {
  storage: { backend: 'sqlite'; path: string; writerThread: boolean };
  done(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'cpim-bench-store-'));
  return {
    storage: { backend: 'sqlite', path: join(dir, 'gateway.sqlite'), writerThread },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The relay gateway (bench/lib/configs.ts) with `storage`, and room `bench` when `room`. */
export function storeGatewayConfig(storage: Record<string, unknown>, room: boolean): Record<string, unknown> {
  return {
    ...gatewayConfig('gw.test'),
    storage,
    ...(room ? { rooms: [{ name: 'bench', address: ROOM, members: [INBOX], open: true }] } : {}),
  };
}
