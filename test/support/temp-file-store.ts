/**
 * A file store (src/files/store.ts) in a temporary folder with no durable store behind it, its
 * links on https://files.example: for unit tests of code that keeps files (issue 17). The folder
 * is removed by `stop`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { filesSchema } from '../../src/config/files-schema.js';
import { storageSchema } from '../../src/config/storage-schema.js';
import { FileStore } from '../../src/files/store.js';

export interface TempFileStore {
  readonly store: FileStore;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts a store over a new temporary folder; `files` is merged over the `files:` defaults. */
export async function startTempFileStore(files: Record<string, unknown> = {}): Promise<TempFileStore> {
  const dir = mkdtempSync(join(tmpdir(), 'files-test-'));
  const store = new FileStore({
    config: filesSchema.parse({ dir, ...files }),
    storageConfig: storageSchema.parse({ backend: 'none' }),
    store: null,
    log: pino({ level: 'silent' }),
  });
  await store.start();
  store.setBaseUrl('https://files.example');
  return {
    store,
    dir,
    stop: async () => {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
