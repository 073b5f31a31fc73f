/**
 * The README's "Thirty-second tour", run as written: the commands are read from that section,
 * the gateway runs from the repository's gateway.config.yaml with the real binary. Only the two
 * hub ports change (free ones, so a gateway the user runs on 7410/7411 is left alone); the client
 * commands find them through CPIM_IMTP / CPIM_PITP, which they honour as documented.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../support/net.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/cpim-gateway.js');

/** The `npx cpim-gateway ...` lines of the tour section, split as a shell would (double quotes). */
function tourCommands(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Thirty-second tour'));
  if (section === undefined) throw new Error('README has no "Thirty-second tour" section');
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .filter((l) => l.startsWith('npx cpim-gateway ') || l === 'npm start')
    .map((l) => [...l.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!));
}

class Proc {
  out = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.exited = new Promise((r) => child.on('exit', (code) => r(code)));
  }
  async waitFor(text: string, ms = 15_000): Promise<void> {
    const t0 = Date.now();
    while (!this.out.includes(text)) {
      if (this.child.exitCode !== null)
        throw new Error(`exited (${this.child.exitCode}) before "${text}": ${this.out}`);
      if (Date.now() - t0 > ms) throw new Error(`no "${text}" within ${ms} ms: ${this.out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('README tour', () => {
  it('npm start, listen, send "Hello, Bob", presence set and get', async () => {
    const commands = tourCommands();
    expect(commands.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'npm start',
      'npx cpim-gateway listen',
      'npx cpim-gateway send',
      'npx cpim-gateway presence',
      'npx cpim-gateway presence',
    ]);
    const [imtp, pitp, web, smtp] = await freePorts(4);
    const dir = mkdtempSync(join(tmpdir(), 'cpim-tour-'));
    const config = readFileSync(join(ROOT, 'gateway.config.yaml'), 'utf8')
      .replace(/port: 7410\b/, `port: ${imtp}`)
      .replace(/port: 7411\b/, `port: ${pitp}`)
      .replace(/port: 8080\b/, `port: ${web}`)
      .replace(/^(\s+localDomain: localhost)$/m, `$1\n    inbound: { port: ${smtp} }`);
    expect(config).toContain(`port: ${imtp}`);
    expect(config).toContain(`port: ${web}`);
    expect(config).toContain(`port: ${smtp}`);
    // The operations endpoint on a free port, unless the file already moves it (docs/operations.md).
    const withOps = /^ops:/m.test(config)
      ? config
      : `${config}\nops: { host: 127.0.0.1, port: 0 }\nfiles: { listen: { host: 127.0.0.1, port: 0 } }\n`;
    writeFileSync(join(dir, 'gateway.config.yaml'), withOps);
    const env = { ...process.env, CPIM_IMTP: `127.0.0.1:${imtp}`, CPIM_PITP: `127.0.0.1:${pitp}` };
    // `npm start` is `node bin/cpim-gateway.js start` in the folder holding gateway.config.yaml;
    // `npx cpim-gateway` is the same binary.
    const run = (argv: string[]) =>
      new Proc(spawn(process.execPath, [BIN, ...argv], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const procs: Proc[] = [];
    try {
      const gateway = run(['start']);
      procs.push(gateway);
      await gateway.waitFor('"gateway started"');

      // Two at a time where the order does not matter (the tour's terminals are independent).
      const listen = run(commands[1]!.slice(2));
      const set = run(commands[3]!.slice(2));
      procs.push(listen, set);
      await listen.waitFor('listening on im:bob@localhost');
      expect(await set.exited, set.out).toBe(0);
      expect(set.out).toContain('ok: pres:alice@localhost is open ("At my desk")');

      const send = run(commands[2]!.slice(2));
      const get = run(commands[4]!.slice(2));
      procs.push(send, get);
      expect(await send.exited, send.out).toBe(0);
      expect(send.out).toContain('ok: delivered to im:bob@localhost');
      await listen.waitFor('Hello, Bob');
      expect(listen.out).toMatch(
        /From: im:alice@localhost\nDate: \d{4}-\d\d-\d\dT[^\n]+\nType: text\/plain; charset=UTF-8\n\nHello, Bob\n/,
      );
      expect(await get.exited, get.out).toBe(0);
      expect(get.out).toMatch(/pres:alice@localhost\n {2}im: open — "At my desk"/);

      // Ctrl-C ends listen with exit code 0.
      listen.child.kill('SIGINT');
      expect(await listen.exited).toBe(0);
    } finally {
      for (const p of procs) {
        if (p.child.pid !== undefined && p.child.exitCode === null && p.child.signalCode === null) {
          process.kill(p.child.pid, 'SIGTERM');
          const t = setTimeout(
            () => p.child.exitCode === null && process.kill(p.child.pid!, 'SIGKILL'),
            5000,
          );
          await p.exited;
          clearTimeout(t);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
