/**
 * The store from the command line (issue 15; docs/cli.md, docs/storage.md): `cpim-gateway start`
 * on a damaged, newer or locked database prints one line naming the file and what to do, exits 1
 * and leaves no listener open; `cpim-gateway db migrate | backup FILE | check`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../src/store/sqlite/migrations.js';
import { runCli } from './support/cli-process.js';
import { canConnect, freePorts } from './support/net.js';

const dir = mkdtempSync(join(tmpdir(), 'cpim-store-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A configuration with its hub on free ports and its store at `path`. */
async function configFor(path: string, storage = ''): Promise<{ file: string; imtp: number }> {
  const [imtp, pitp] = await freePorts(2);
  const file = join(dir, `gw-${++n}.yaml`);
  writeFileSync(
    file,
    `hub:\n  imtp: { host: 127.0.0.1, port: ${imtp} }\n  pitp: { host: 127.0.0.1, port: ${pitp} }\n` +
      `ops: { host: 127.0.0.1, port: 0 }\n` +
      `files: { listen: { host: 127.0.0.1, port: 0 } }\n` +
      `storage: { path: ${JSON.stringify(path)}${storage} }\n`,
  );
  return { file, imtp: imtp! };
}

/** A database the gateway made, with some rows. */
async function madeDatabase(name: string): Promise<{ path: string; file: string; imtp: number }> {
  const path = join(dir, name, 'gw.sqlite');
  const c = await configFor(path);
  const r = await runCli(['db', 'migrate', '--config', c.file]);
  expect(r.code).toBe(0);
  const db = new Database(path);
  const put = db.prepare('INSERT INTO mappings (namespace, key, value) VALUES (?, ?, ?)');
  for (let i = 0; i < 300; i++) put.run('ns', `key-${i}`, 'v'.repeat(200));
  db.close();
  return { path, ...c };
}

function onlyLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('cpim-gateway start with a store that cannot open', () => {
  it('a file that is not a database: one line, exit 1, no listener left open', async () => {
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(path, Buffer.alloc(4096, 0x41));
    const { file, imtp } = await configFor(path);
    const r = await runCli(['start', '--config', file]);
    expect(r.code).toBe(1);
    expect(onlyLine(r.stderr)).toBe(
      `cannot start: the database ${path} is damaged (file is not a database): restore it from a backup, or move it away to start with an empty store (docs/storage.md)`,
    );
    expect(await canConnect(imtp)).toBe(false);
  });

  it('a database from a newer gateway: says to upgrade or restore', async () => {
    const { path, file } = await madeDatabase('newer');
    const db = new Database(path);
    db.prepare('INSERT INTO schema_version (version, applied) VALUES (?, 0)').run(LATEST_VERSION + 1);
    db.close();
    const r = await runCli(['start', '--config', file]);
    expect(r.code).toBe(1);
    expect(onlyLine(r.stderr)).toBe(
      `cannot start: the database ${path} has schema version ${LATEST_VERSION + 1}, newer than this gateway's ${LATEST_VERSION}: upgrade the gateway, or restore a backup made by this version`,
    );
  });

  it('a database another process holds: says so once the busy timeout is over', async () => {
    const { path } = await madeDatabase('locked');
    const { file } = await configFor(path, ', busyTimeoutMs: 100');
    const lock = new Database(path);
    lock.exec('BEGIN EXCLUSIVE');
    try {
      const r = await runCli(['start', '--config', file]);
      expect(r.code).toBe(1);
      expect(onlyLine(r.stderr)).toMatch(
        new RegExp(`^cannot start: the database ${path} is locked: another process holds it`),
      );
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
  });
});

describe('cpim-gateway db', () => {
  it('migrate creates the store and prints its version', async () => {
    const path = join(dir, 'fresh', 'sub', 'gw.sqlite');
    const { file } = await configFor(path);
    const r = await runCli(['db', 'migrate', '--config', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${path}: schema version ${LATEST_VERSION}, up to date\n`);
    expect(r.code).toBe(0);
    expect(existsSync(path)).toBe(true);
  });

  it('check prints the counts; on damaged pages it lists problems and exits 1', async () => {
    const { path, file } = await madeDatabase('check');
    const ok = await runCli(['db', 'check', '--config', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${path}: schema version ${LATEST_VERSION}, no problem found\n`);
    expect(ok.stdout).toContain('  mappings: 300\n');
    expect(ok.stdout).toContain('  history: 0\n');

    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize * 3, pageSize * 3 + 300);
    writeFileSync(path, bytes);
    const bad = await runCli(['db', 'check', '--config', file]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/problems?\n {2}problem: /);
    expect(onlyLine(bad.stderr)).toBe(
      `cpim-gateway: the store ${path} is damaged: restore a backup (docs/storage.md, "Backup and restore")`,
    );
  });

  it('backup writes a copy that opens with every row, and never overwrites a file', async () => {
    const { file } = await madeDatabase('backup');
    const target = join(dir, 'copy.sqlite');
    const r = await runCli(['db', 'backup', target, '--config', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT COUNT(*) AS n FROM mappings').get()).toEqual({ n: 300 });
    copy.close();
    const again = await runCli(['db', 'backup', target, '--config', file]);
    expect(again.code).toBe(1);
    expect(onlyLine(again.stderr)).toBe(
      `cpim-gateway: ${target} exists: name a new file (a backup never overwrites one)`,
    );
  });

  it('backend none, a store not there yet, and wrong arguments', async () => {
    const file = join(dir, 'none.yaml');
    writeFileSync(file, 'storage: { backend: none }\n');
    const none = await runCli(['db', 'check', '--config', file]);
    expect(none.code).toBe(1);
    expect(onlyLine(none.stderr)).toBe(
      `cpim-gateway: storage.backend is none in ${file}: the gateway keeps nothing, there is no store`,
    );
    const missing = join(dir, 'never', 'gw.sqlite');
    const { file: fresh } = await configFor(missing);
    const nothing = await runCli(['db', 'check', '--config', fresh]);
    expect(nothing.code).toBe(1);
    expect(onlyLine(nothing.stderr)).toBe(
      `cpim-gateway: there is no store at ${missing} (storage.path in ${fresh}): the gateway has not run with this configuration yet`,
    );
    expect(existsSync(missing)).toBe(false);
    const usage = await runCli(['db', 'vacuum', '--config', file]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown db action "vacuum"');
    expect((await runCli(['db', 'backup', '--config', file])).code).toBe(2);
  });
});
