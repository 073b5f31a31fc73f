/**
 * Kill tests, hub part (issue 15, "Done when"): hub sends to a room and to users who are not
 * connected, the gateway killed with SIGKILL in the middle of the stream, started again on the
 * same store; every send answered `ok` is delivered (before the kill, or after the restart when
 * the inbox listens), none twice, in order; the room's history holds every accepted post once.
 * docs/hub-protocol.md part 4 (Message-ID, Stored), docs/gateway.md (offline delivery, history).
 */
import { expect, it } from 'vitest';
import type { CommandFrame } from '../../../src/hub/frame/index.js';
import { MESSAGE_ID_HEADER, STORED_HEADER } from '../../../src/protocol/index.js';
import { storageSchema } from '../../../src/config/storage-schema.js';
import { createRootLogger } from '../../../src/log.js';
import { openStore } from '../../../src/store/index.js';
import { h, sendText } from '../../support/hub-calls.js';
import { useKillGateways, type KillGateway } from '../../support/kill-gateway.js';
import { waitFor } from '../../support/net.js';
import { duplicates, missing, numberOf, numbered, streamAndKill } from './stream.js';

const start = useKillGateways();

const ROOM = 'im:team@gw.test';
/** Room `team`: bob and carol are members; alice posts without being one (open room). */
const config = () => ({
  rooms: [{ name: 'team', address: ROOM, members: ['im:bob@gw.test', 'im:carol@gw.test'], open: true }],
  storage: { offline: { maxPerInbox: 100_000 } },
});

interface Arrival {
  readonly n: number;
  readonly id: string | undefined;
}

/** Listens as `user` on the current run and records the numbers of stream `name` that arrive. */
async function inbox(gw: KillGateway, user: string, name: string, into: Arrival[]): Promise<void> {
  const record = (cmd: CommandFrame) => {
    const n = numberOf(name, Buffer.from(cmd.payload ?? []).toString());
    if (n !== undefined) into.push({ n, id: h(cmd.headers, MESSAGE_ID_HEADER) });
    return { status: 'ok' as const, headers: [] };
  };
  const c = await gw.client(user, record);
  const r = await c.command('listen', [['Inbox', `im:${user}@gw.test`]]);
  expect(r.status).toBe('ok');
}

/** Alice's stream to `to`, killed once 300 were accepted; every accepted one must carry `stored`. */
async function aliceStream(gw: KillGateway, name: string, to: string, stored: string | null) {
  const alice = await gw.client('alice');
  const storedAs: (string | undefined)[] = [];
  const outcome = await streamAndKill({
    total: 20_000,
    window: 32,
    killAfterOk: 300,
    kill: () => gw.kill(),
    send: async (i) => {
      const r = await sendText(alice, 'im:alice@gw.test', to, numbered(name, i));
      if (r.status === 'ok') storedAs.push(h(r.headers, STORED_HEADER));
      return r.status === 'ok';
    },
  });
  // The kill came in the middle of the stream: sends were in flight and went unanswered.
  expect(outcome.failed.length).toBeGreaterThan(0);
  expect(outcome.ok.length).toBeGreaterThanOrEqual(300);
  if (stored !== null) expect(new Set(storedAs)).toEqual(new Set([stored]));
  return outcome;
}

const ascending = (xs: readonly number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);

it('offline inbox: every send answered ok + Stored: offline before a SIGKILL is delivered once, in order, after the restart', async () => {
  const gw = await start({ config });
  const out = await aliceStream(gw, 'off', 'im:dave@gw.test', 'offline');

  await gw.restart();
  const got: Arrival[] = [];
  await inbox(gw, 'dave', 'off', got);
  await waitFor(
    () =>
      missing(
        out.ok,
        got.map((a) => a.n),
      ).length === 0,
    15_000,
    'every accepted send at dave',
  );
  // A live send after the drained ones: when it is there, the drain is over.
  const alice = await gw.client('alice');
  expect(
    (await sendText(alice, 'im:alice@gw.test', 'im:dave@gw.test', numbered('off', 999_999))).status,
  ).toBe('ok');
  await waitFor(() => got.some((a) => a.n === 999_999), 10_000, 'the live send after the drain');
  await gw.terminate();

  const numbers = got.map((a) => a.n);
  expect(duplicates(numbers)).toEqual([]);
  expect(missing(out.ok, numbers)).toEqual([]);
  expect(ascending(numbers)).toBe(true);
  // What arrived beyond the accepted ones was in flight at the kill (stored, never answered).
  expect(
    numbers.filter((n) => n !== 999_999 && !out.ok.includes(n)).every((n) => out.failed.includes(n)),
  ).toBe(true);
  // Each message kept its gateway message id, and ids are distinct.
  expect(got.every((a) => a.id !== undefined)).toBe(true);
  expect(new Set(got.map((a) => a.id)).size).toBe(got.length);
});

it('room: posts answered ok before a SIGKILL reach the listening member once, the absent member after the restart, and the history once', async () => {
  const gw = await start({ config });
  const bob: Arrival[] = [];
  await inbox(gw, 'bob', 'room', bob);
  const out = await aliceStream(gw, 'room', ROOM, null);

  await gw.restart();
  await inbox(gw, 'bob', 'room', bob);
  const carol: Arrival[] = [];
  await inbox(gw, 'carol', 'room', carol);
  await waitFor(
    () =>
      missing(
        out.ok,
        carol.map((a) => a.n),
      ).length === 0,
    15_000,
    'every accepted post at carol',
  );
  await waitFor(
    () =>
      missing(
        out.ok,
        bob.map((a) => a.n),
      ).length === 0,
    15_000,
    'every accepted post at bob',
  );
  await gw.terminate();

  for (const member of [bob, carol]) {
    const numbers = member.map((a) => a.n);
    expect(duplicates(numbers)).toEqual([]);
    expect(missing(out.ok, numbers)).toEqual([]);
    expect(ascending(numbers)).toBe(true);
  }
  // Both members got each post under the same message id.
  const idOf = new Map(bob.map((a) => [a.n, a.id]));
  expect(carol.every((a) => a.id !== undefined && idOf.get(a.n) === a.id)).toBe(true);

  // The room's history, read from the store file the gateway left: every accepted post, once.
  const store = await openStore(storageSchema.parse({ backend: 'sqlite', path: gw.storePath }), {
    log: createRootLogger({ level: 'warn', destination: process.stderr }),
  });
  try {
    const history = await store!.readHistory(ROOM, { limit: 100_000 });
    const numbers = history.map((r) => numberOf('room', Buffer.from(r.payload).toString())!);
    expect(duplicates(numbers)).toEqual([]);
    expect(missing(out.ok, numbers)).toEqual([]);
    expect(history.every((r) => r.source === 'im:alice@gw.test' && r.destination === ROOM)).toBe(true);
  } finally {
    await store!.close();
  }
});
