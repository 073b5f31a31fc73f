/**
 * History retention (retention.ts): a run at start with the configured age and count, and one
 * per interval; a failed run is logged at warn and does not stop the next.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storageSchema } from '../config/storage-schema.js';
import { createRootLogger } from '../log.js';
import { startRetention } from './retention.js';
import { openSqliteStore } from './sqlite/open.js';

function logger() {
  const lines: Record<string, unknown>[] = [];
  const log = createRootLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split('\n'))
          if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    }),
  });
  return { log, lines };
}

describe('history retention', () => {
  it('prunes at start by age and by count, and again when run', async () => {
    const config = storageSchema.parse({
      path: ':memory:',
      history: { maxAgeMs: 1000, maxPerConversation: 2 },
    });
    const store = openSqliteStore(config);
    const now = 1_000_000;
    const put = (id: string, time: number) =>
      store.appendHistory({
        id,
        conversation: 'room',
        time,
        source: 'a',
        destination: 'room',
        contentType: 'text/plain',
        payload: new Uint8Array(),
      });
    for (const [id, t] of [
      ['old', now - 5000],
      ['a', now - 10],
      ['b', now - 9],
      ['c', now - 8],
    ] as const)
      await put(id, t);
    const { log, lines } = logger();
    const retention = startRetention(store, config.history, log, () => now);
    expect(await retention.running).toBe(2);
    expect((await store.readHistory('room', { limit: 10 })).map((r) => r.id)).toEqual(['b', 'c']);
    expect(lines.find((l) => l.msg === 'old history deleted')).toMatchObject({ deleted: 2 });
    await put('d', now - 1);
    expect(await retention.runNow()).toBe(1);
    retention.stop();
    await store.close();
  });

  it('a run that fails is logged at warn and answers 0', async () => {
    const config = storageSchema.parse({ path: ':memory:' });
    const store = openSqliteStore(config);
    await store.close();
    const { log, lines } = logger();
    const retention = startRetention(store, config.history, log);
    expect(await retention.running).toBe(0);
    retention.stop();
    expect(lines.find((l) => l.level === 40)).toMatchObject({ msg: 'history prune failed' });
  });
});
