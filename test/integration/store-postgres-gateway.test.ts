/**
 * A whole gateway on the PostgreSQL store (issue 15; docs/storage-postgres.md): started with
 * `storage.backend: postgres`, it opens the store before its listeners, relays, keeps what is
 * written through `gateway.store` across a restart, and a server it cannot reach stops the real
 * binary's start with one line that names the server (no password) and says what to do.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli-process.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { listenAs, sendText } from '../support/hub-calls.js';
import { canConnect, freePorts, waitFor } from '../support/net.js';
import { postgresTestsRun, usePostgres } from '../support/postgres.js';

const ROOM = 'im:dev@gw.test';

describe.skipIf(!postgresTestsRun)('a gateway on the PostgreSQL store', () => {
  const db = usePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'cpim-pg-gw-'));
  const running = new Set<TestGateway>();
  afterAll(async () => {
    await Promise.all([...running].map((g) => g.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(url: string): Promise<TestGateway> {
    const g = await startTestGateway({
      config: {
        storage: { backend: 'postgres', url },
        rooms: [{ name: 'dev', address: ROOM, members: ['im:alice@gw.test', 'im:bob@gw.test'] }],
      },
    });
    running.add(g);
    return g;
  }
  async function stop(g: TestGateway): Promise<void> {
    running.delete(g);
    await g.stop();
  }

  it('relays a room post, and what it stored is there after a restart', async () => {
    const url = await db.database();
    const first = await start(url);
    const store = first.gateway.store!;
    expect(store.backend).toBe('postgres');
    expect(first.logs().some((l) => l.msg === 'store open' && l.backend === 'postgres')).toBe(true);

    const got = await listenAs(first, 'bob');
    const alice = await first.client('alice');
    const answer = await sendText(alice, 'im:alice@gw.test', ROOM, 'hello room');
    expect(answer.status).toBe('ok');
    await waitFor(() => got.length > 0, 5000, 'the room post at bob');
    // What an adapter keeps through the gateway's store (AdapterContext.storage).
    await store.setMapping('irc:irc:nick', 'im:alice@gw.test', 'alice_');
    await stop(first);

    const second = await start(url);
    expect(await second.gateway.store!.getMapping('irc:irc:nick', 'im:alice@gw.test')).toBe('alice_');
    // The router wrote the post to the room's history (src/router/room-history.ts), octets unchanged.
    const history = await second.gateway.store!.readHistory(ROOM, { limit: 5 });
    expect(history.map((r) => [r.source, r.destination, r.contentType])).toEqual([
      // sendText sends a text/plain payload; the history keeps the send's own Content-Type.
      ['im:alice@gw.test', ROOM, 'text/plain; charset=UTF-8'],
    ]);
    expect(Buffer.from(history[0]!.payload).toString('utf8')).toContain('hello room');
    expect((await second.gateway.store!.check()).ok).toBe(true);
    await stop(second);
  });

  it('cannot reach the server: the binary stops with one line naming it, no listener left', async () => {
    const [imtp, pitp, ops, closed] = await freePorts(4);
    const file = join(dir, 'unreachable.yaml');
    writeFileSync(
      file,
      `hub:\n  imtp: { host: 127.0.0.1, port: ${imtp} }\n  pitp: { host: 127.0.0.1, port: ${pitp} }\n` +
        `ops: { host: 127.0.0.1, port: ${ops} }\n` +
        `files: { listen: { host: 127.0.0.1, port: 0 } }\n` +
        `storage: { backend: postgres, url: 'postgres://gw:hunter2@127.0.0.1:${closed}/cpim' }\n`,
    );
    const child = spawn(process.execPath, [BIN, 'start', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearTimeout(timer);
    expect(code, stdout + stderr).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(
      `cannot connect to the PostgreSQL server postgres://gw@127.0.0.1:${closed}/cpim`,
    );
    expect(stderr).toContain('storage.url');
    expect(stdout + stderr).not.toContain('hunter2');
    for (const port of [imtp!, pitp!, ops!]) expect(await canConnect(port)).toBe(false);
  }, 40_000);
});
