/**
 * The package as a user gets it (issue 14, "Compiled package" and "Done when"): `npm pack` (which
 * builds through `prepare`), the tarball installed with --omit=dev into an empty folder. It ships
 * no tests and no TypeScript sources, installs no tsx, TypeScript or esbuild, answers
 * `--version` fast, and `cpim-gateway start` in an empty folder serves the web page over HTTP and
 * IMTP to the package's own client commands. One pack and one install per run (the install
 * fetches the runtime dependencies through the registry, or npm's cache).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stoppable, type StoppableChild } from './support/child.js';
import { freePorts, untilListening, waitFor } from './support/net.js';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Packages that are for building and testing only: none may reach a user's installation. */
const DEV_ONLY = ['tsx', 'typescript', 'esbuild', 'vitest', 'eslint', 'playwright-core', 'fast-check'];

const temp = mkdtempSync(join(tmpdir(), 'cpim-package-'));
const consumer = join(temp, 'consumer');
const BIN = join(consumer, 'node_modules', 'cpim-gateway', 'bin', 'cpim-gateway.js');
let shipped: string[] = [];
const children: StoppableChild[] = [];

beforeAll(async () => {
  const pack = await run('npm', ['pack', '--json', '--pack-destination', temp], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  // `prepare` (the build) prints before npm's JSON; the JSON is the last thing on stdout.
  const json = pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1);
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  shipped = info!.files.map((f) => f.path);
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // Install scripts off: the one runtime dependency with a native part, better-sqlite3, would
  // compile from source again here (no prebuilt binary can be downloaded on these machines:
  // 100 s and more on two cores). `npm ci` compiled it for this Node already; the same binary is
  // copied into place, so the package itself is what is tested.
  await run(
    'npm',
    [
      'install',
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      join(temp, info!.filename),
    ],
    { cwd: consumer, maxBuffer: 64 * 1024 * 1024 },
  );
  const binding = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  mkdirSync(dirname(join(consumer, binding)), { recursive: true });
  copyFileSync(join(ROOT, binding), join(consumer, binding));
}, 300_000);

afterAll(async () => {
  for (const c of children) await c.stop('SIGTERM', 5000);
  rmSync(temp, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships what runs: bin, dist, docs, the example config; no tests, benchmarks, scripts or .ts', () => {
    expect(shipped).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'gateway.config.yaml',
        'bin/cpim-gateway.js',
        'dist/src/cli.js',
        'dist/src/main.js',
        'dist/adapters/websocket/page/app.js',
        'dist/adapters/websocket/page/index.html',
        'dist/adapters/websocket/protocol.schema.json',
        'dist/adapters/email/sender-auth-worker.mjs',
        'dist/adapters/email/sender-auth-task.js',
      ]),
    );
    const outside = shipped.filter(
      (p) =>
        !/^(bin|dist\/src|dist\/adapters|docs)\//.test(p) && !/^[^/]+\.(md|json|yaml)$|^LICENSE$/.test(p),
    );
    expect(outside).toEqual([]);
    expect(shipped.filter((p) => /\.test\.|\.ts$|^(test|bench|scripts)\//.test(p))).toEqual([]);
  });
});

describe('the package installed with --omit=dev', () => {
  it('has no tsx, TypeScript, esbuild or test tools anywhere in its node_modules', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], {
      cwd: consumer,
      maxBuffer: 64 * 1024 * 1024,
    });
    const names = stdout
      .split('\n')
      .filter((l) => l.includes('node_modules'))
      .map((l) => l.slice(l.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(names).toContain('cpim-gateway');
    expect(names).toContain('pino');
    expect(names.filter((n) => DEV_ONLY.includes(n) || n.startsWith('@esbuild/'))).toEqual([]);
  });

  it('answers --version and -V with the package version, within a second', async () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    const ms = Date.now() - t0;
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(ms).toBeLessThan(1000);
    const npx = await run('npx', ['--no-install', 'cpim-gateway', '-V'], { cwd: consumer });
    expect(npx.stdout).toBe(`${VERSION}\n`);
  });

  it('start in an empty folder runs the demo: the page over HTTP, IMTP to its own client commands', async () => {
    const [imtp, pitp, http, smtp, ops, files] = await freePorts(6);
    const work = mkdtempSync(join(temp, 'run-'));
    // No configuration file: the demo, on free ports instead of 7410/7411/8080/2525/9464/8090
    // (tests never bind fixed ports; CPIM_DEMO_PORTS moves only the ports, never the host).
    const demoEnv = {
      ...process.env,
      CPIM_DEMO_PORTS: `imtp=${imtp},pitp=${pitp},http=${http},smtp=${smtp},ops=${ops},files=${files}`,
    };
    let out = '';
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: work,
      env: demoEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const gateway = stoppable(child);
    children.push(gateway);
    await untilListening(
      [imtp!, pitp!, http!, smtp!, ops!],
      'the installed gateway',
      () => !gateway.alive(),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${out}`);
    });

    const page = await fetch(`http://127.0.0.1:${http}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="app.js"></script>');
    const script = await fetch(`http://127.0.0.1:${http}/app.js`);
    expect(script.status).toBe(200);
    const js = await script.text();
    // The bundle built at pack time, served as is (esbuild is not installed to build it).
    expect(js).toBe(
      readFileSync(join(consumer, 'node_modules/cpim-gateway/dist/adapters/websocket/page/app.js'), 'utf8'),
    );
    expect(js).not.toMatch(/\bimport\s*[{(*'"]/);

    // IMTP (draft §16): bob listens, alice sends, through the package's own commands.
    const env = { ...process.env, CPIM_IMTP: `127.0.0.1:${imtp}`, CPIM_PITP: `127.0.0.1:${pitp}` };
    let heard = '';
    const listener = spawn(
      process.execPath,
      [BIN, 'listen', 'im:bob@localhost', '--user', 'bob', '--password', 'bob'],
      { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    listener.stdout.on('data', (d: Buffer) => (heard += d.toString()));
    listener.stderr.on('data', (d: Buffer) => (heard += d.toString()));
    const listening = stoppable(listener);
    children.push(listening);
    await waitFor(() => heard.includes('listening on im:bob@localhost'), 15_000, `listen: ${heard}`);
    const sent = await run(
      process.execPath,
      [
        BIN,
        'send',
        '--from',
        'im:alice@localhost',
        '--to',
        'im:bob@localhost',
        '--user',
        'alice',
        '--password',
        'alice',
        'Hello from the tarball',
      ],
      { cwd: work, env },
    );
    expect(sent.stdout).toContain('ok: delivered to im:bob@localhost');
    await waitFor(() => heard.includes('Hello from the tarball'), 5000, `the message: ${heard}`);
    await listening.stop('SIGINT');

    expect(gateway.alive()).toBe(true);
    await gateway.stop('SIGTERM', 5000);
    expect(child.exitCode).toBe(0);
  }, 60_000);
});
