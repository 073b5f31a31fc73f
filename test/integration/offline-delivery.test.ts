/**
 * Offline delivery and room history through a real gateway over loopback TCP (issue 15;
 * docs/gateway.md "Offline delivery", "Room history"; docs/hub-protocol.md part 4 rows 23, 33):
 * a message to bob while he is away is kept and answered `Stored: offline`; bob logs in, listens
 * and gets it, in order, once, also from a gateway restarted on the same SQLite file; a room
 * post nobody is there to take is `Stored: history` and in the store's history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { useTestGateways } from '../support/gateway.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import { waitFor } from '../support/net.js';

const text = (c: CommandFrame) => Buffer.from(c.payload ?? []).toString();

describe('offline delivery over TCP (docs/gateway.md, part 4 rows 23 and 33)', () => {
  const startGateway = useTestGateways();
  const dir = mkdtempSync(join(tmpdir(), 'cpim-offline-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('part 4 row 23: alice writes to bob while he is away; bob listens and gets it all, in order, once', async () => {
    const gw = await startGateway();
    const alice = await gw.client('alice');
    const answers = [];
    for (const body of ['one', 'two', 'three'])
      answers.push(await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', body));
    for (const a of answers) {
      expect(a.status).toBe('ok');
      expect(h(a.headers, 'Stored')).toBe('offline');
      expect(h(a.headers, 'Unreliable')).toBe('gw.test');
    }
    const got = await listenAs(gw, 'bob');
    await waitFor(() => got.length >= 3 || undefined);
    expect(got.map(text)).toEqual(['one', 'two', 'three']);
    expect(got.every((c) => c.method === 'send' && h(c.headers, 'Sender') === 'im:alice@gw.test')).toBe(true);
    await vi.waitFor(async () => expect(await gw.gateway.store!.countOffline('im:bob@gw.test')).toBe(0));
    // Bob is here now: the next message is delivered, not kept, and nothing comes twice.
    const live = await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'four');
    expect(live.status).toBe('ok');
    expect(h(live.headers, 'Stored')).toBeUndefined();
    expect(got.map(text)).toEqual(['one', 'two', 'three', 'four']);
    const ids = got.map((c) => h(c.headers, 'Message-ID'));
    expect(new Set(ids).size).toBe(4);
  });

  it('a gateway restarted on the same SQLite file still delivers what it kept', async () => {
    const storage = { backend: 'sqlite', path: join(dir, 'restart.sqlite') };
    const first = await startGateway({ config: { storage } });
    const alice = await first.client('alice');
    const a = await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'before the restart', [
      ['Message-ID', 'restart-1'],
    ]);
    expect(h(a.headers, 'Stored')).toBe('offline');
    await first.stop();

    const second = await startGateway({ config: { storage } });
    const got = await listenAs(second, 'bob');
    await waitFor(() => got[0]);
    expect(text(got[0]!)).toBe('before the restart');
    expect(h(got[0]!.headers, 'Message-ID')).toBe('restart-1');
    await vi.waitFor(async () => expect(await second.gateway.store!.countOffline('im:bob@gw.test')).toBe(0));
    expect(got).toHaveLength(1);
  });

  it('part 4 row 33: a room post with nobody there is ok + Stored: history, and in the history', async () => {
    const gw = await startGateway({
      config: {
        rooms: [
          { name: 'lobby', address: 'im:lobby@gw.test', members: ['im:alice@gw.test', 'im:bob@gw.test'] },
        ],
      },
    });
    const alice = await gw.client('alice');
    const a = await sendText(alice, 'im:alice@gw.test', 'im:lobby@gw.test', 'anyone?', [
      ['Message-ID', 'lobby-1'],
    ]);
    expect(a.status).toBe('ok');
    expect(h(a.headers, 'Stored')).toBe('history');
    const history = await gw.gateway.store!.readHistory('im:lobby@gw.test', { limit: 10 });
    expect(history.map((r) => [r.id, r.source, Buffer.from(r.payload).toString()])).toEqual([
      ['lobby-1', 'im:alice@gw.test', 'anyone?'],
    ]);
    // Bob, a hub user, finds his copy when he comes.
    const got = await listenAs(gw, 'bob');
    await waitFor(() => got[0]);
    expect(h(got[0]!.headers, 'Orig-Inbox')).toBe('im:lobby@gw.test');
    expect(h(got[0]!.headers, 'Message-ID')).toBe('lobby-1');
  });
});
