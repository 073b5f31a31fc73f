/**
 * Defaults that serve (issue 14): the real binary, started with no configuration file in an
 * empty folder, runs the demo. It says so loudly (a banner on stderr, a `warn` line), prints the
 * page's URL and the demo tokens, and serves: a printed token signs in on the page's WebSocket,
 * mail sent over SMTP (Debian's swaks) arrives there as a chat message, and a chat message to a
 * mail user is written as an .eml file under ./var/mail-out. The demo's fixed ports move to free
 * ones through CPIM_DEMO_PORTS (tests never bind fixed ports, test/support/README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { stoppable } from './support/child.js';
import { swaks } from './support/email.js';
import { canConnect, freePorts, waitFor } from './support/net.js';
import { signIn, type TestClient } from './support/websocket.js';

const BIN = new URL('../bin/cpim-gateway.js', import.meta.url).pathname;

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const c of children.splice(0)) await stoppable(c).stop('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpim-demo-'));
  dirs.push(dir);
  return dir;
}

function startDemo(cwd: string, ports: string): Run {
  const env = { ...process.env, CPIM_DEMO_PORTS: ports };
  const child = spawn(process.execPath, [BIN, 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const run: Run = { child, stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return run;
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(c.exitCode)
    : new Promise<number | null>((r) => c.once('exit', (code) => r(code)));

describe('cpim-gateway start with no configuration file', () => {
  it('runs the demo: announced, page and tokens printed, web chat, mail in and out', async () => {
    const dir = emptyDir();
    const [imtp, pitp, http, smtp, ops, filesPort] = await freePorts(6);
    const demo = startDemo(
      dir,
      `imtp=${imtp},pitp=${pitp},http=${http},smtp=${smtp},ops=${ops},files=${filesPort}`,
    );
    await waitFor(
      () => demo.stdout.includes('The demo is running') || demo.child.exitCode !== null,
      20_000,
      'the demo to start',
    );
    expect(demo.child.exitCode, demo.stdout + demo.stderr).toBe(null);

    // Loudly demo-only: a banner on stderr and a warn line in the log.
    expect(demo.stderr).toContain('DEMO MODE');
    expect(demo.stderr).toMatch(/never for a\s+(!! )?network/);
    const warn = demo.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.msg.startsWith('demo mode'));
    expect(warn?.level).toBe(40);

    // The page's URL and a token, as printed.
    const url = /web chat\s+(http:\/\/\S+)/.exec(demo.stdout)?.[1];
    const token = /sign in with the token (\S+)/.exec(demo.stdout)?.[1];
    expect(url).toBe(`http://127.0.0.1:${http}/`);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    for (const port of [imtp!, pitp!, smtp!]) expect(await canConnect(port)).toBe(true);

    const alice = await signIn(`ws://127.0.0.1:${http}/ws`, token!);
    clients.push(alice);
    const welcome = alice.frames.find((f) => f.type === 'welcome');
    expect(welcome).toMatchObject({ user: 'alice', uri: 'im:alice@web.localhost' });

    // Mail in: SMTP to alice=web.localhost@mail.localhost reaches web alice as chat.
    const sent = await swaks([
      '--server',
      `127.0.0.1:${smtp}`,
      '--from',
      'dave@example.com',
      '--to',
      'alice=web.localhost@mail.localhost',
      '--header',
      'Subject: hello',
      '--body',
      'Hello Alice, by mail',
    ]);
    expect(sent.exitCode, sent.output).toBe(0);
    const chat = await alice.waitFor((f) => f.type === 'message', 10_000);
    expect(chat).toMatchObject({ type: 'message', text: expect.stringContaining('Hello Alice, by mail') });
    expect((chat as { from: string }).from).toContain('dave');

    // Mail out: chat to a mailbox is written as an .eml file in ./var/mail-out of the folder.
    const answer = await alice.request(
      { type: 'send', to: 'im:%22mailto=dave%40example.com%22@mail.localhost', text: 'Hello Dave, by chat' },
      10_000,
    );
    expect(answer).toMatchObject({ type: 'result', status: 'ok' });
    const outDir = join(dir, 'var', 'mail-out');
    const files = await waitFor(
      () => existsSync(outDir) && readdirSync(outDir).filter((f) => f.endsWith('.eml')),
      5000,
      'an .eml file',
    );
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(outDir, files[0]!), 'utf8');
    expect(eml).toMatch(/^To: .*dave@example\.com/m);
    expect(eml).toContain('Hello Dave, by chat');

    // SIGTERM stops it cleanly.
    demo.child.kill('SIGTERM');
    expect(await exited(demo.child)).toBe(0);
  }, 60_000);

  it('a demo port in use: one line saying how to move it, exit 1', async () => {
    const [imtp, pitp, http, smtp, ops, filesPort] = await freePorts(6);
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(http, '127.0.0.1', () => r()));
    try {
      const demo = startDemo(
        emptyDir(),
        `imtp=${imtp},pitp=${pitp},http=${http},smtp=${smtp},ops=${ops},files=${filesPort}`,
      );
      expect(await exited(demo.child), demo.stdout).toBe(1);
      expect(demo.stderr).toContain(`cannot listen on 127.0.0.1:${http}`);
      expect(demo.stderr).toContain('CPIM_DEMO_PORTS=http=PORT');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  }, 30_000);

  it('check-config with no file says it is the demo; a bad CPIM_DEMO_PORTS is refused', async () => {
    const dir = emptyDir();
    const cwd = process.cwd();
    process.chdir(dir);
    const saved = process.env.CPIM_DEMO_PORTS;
    try {
      let out = '';
      let err = '';
      const io = {
        stdout: (s: string) => (out += s),
        stderr: (s: string) => (err += s),
        readStdin: () => new Uint8Array(0),
      };
      delete process.env.CPIM_DEMO_PORTS;
      expect(await main(['check-config'], io)).toBe(0);
      expect(out).toContain('ok: (demo: no configuration file)');
      expect(out).toContain('built-in demo');
      expect(out).toContain('imtp: 127.0.0.1:7410');
      expect(out).toContain('adapters: web, mail');
      process.env.CPIM_DEMO_PORTS = 'http=99999,web=80';
      expect(await main(['check-config'], io)).toBe(1);
      expect(err).toContain('CPIM_DEMO_PORTS');
      expect(err).toContain('"http=99999"');
      expect(err).toContain('"web=80"');
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.CPIM_DEMO_PORTS;
      else process.env.CPIM_DEMO_PORTS = saved;
    }
  });
});
