/**
 * Logs for people and for machines (issue 14): pino-pretty text on a terminal, JSON lines
 * otherwise; `start --log-format json|pretty` and `log.format` choose explicitly. The real binary,
 * its standard output a pipe, or a pseudo-terminal made by util-linux `script`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, plain, runCli, runCliInTerminal } from './support/cli-process.js';
import { freePorts } from './support/net.js';

const dir = mkdtempSync(join(tmpdir(), 'cpim-log-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pino-pretty line: `[HH:MM:ss.mmm] LEVEL: [component] message …`. */
const PRETTY = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|FATAL|ERROR|DEBUG): /;

function config(name: string, text: string): string {
  const path = join(dir, name);
  // The ops endpoint on a free port unless the test names one: a parallel test may hold 9464.
  const withOps = /^ops:/m.test(text)
    ? text
    : `${text}ops: { host: 127.0.0.1, port: 0 }\nfiles: { listen: { host: 127.0.0.1, port: 0 } }\n`;
  // The store in this test's folder, never ./data (issue 15).
  writeFileSync(path, `${withOps}storage: { path: ${JSON.stringify(join(dir, `${name}.sqlite`))} }\n`);
  return path;
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** A gateway whose IMTP port is taken: it logs one fatal line and exits by itself. */
async function withTakenPort<T>(extra: string, run: (file: string, port: number) => Promise<T>): Promise<T> {
  const [imtp, pitp] = await freePorts(2);
  const blocker = await occupy(imtp!);
  try {
    const file = config(
      `taken-${imtp}.yaml`,
      `hub:\n  imtp: { port: ${imtp} }\n  pitp: { port: ${pitp} }\n${extra}`,
    );
    return await run(file, imtp!);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
}

/** Runs the gateway until it logs `gateway started`, stops it with SIGTERM, returns its output. */
async function startAndStop(args: string[]): Promise<{ stdout: string; code: number | null }> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    const t0 = Date.now();
    while (!stdout.includes('gateway started')) {
      if (child.exitCode !== null) throw new Error(`exited early: ${stdout}`);
      if (Date.now() - t0 > 20_000) throw new Error(`no start line within 20 s: ${stdout}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    process.kill(child.pid!, 'SIGTERM');
    return { code: await exited, stdout };
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  }
}

describe('log format', () => {
  it('JSON lines when standard output is not a terminal (auto)', async () => {
    await withTakenPort('', async (file) => {
      const r = await runCli(['start', '--config', file]);
      expect(r.code).toBe(1);
      const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 60, msg: 'gateway failed to start', app: 'cpim-gateway' });
    });
  });

  it('pretty text when standard output is a terminal (auto), JSON there with --log-format json', async () => {
    await withTakenPort('', async (file, port) => {
      const tty = await runCliInTerminal(['start', '--config', file]);
      expect(tty.code, tty.stdout).toBe(1);
      const lines = plain(tty.stdout).split(/\r?\n/);
      expect(lines.find((l) => l.includes('gateway failed to start'))).toMatch(PRETTY);
      expect(tty.stdout).not.toContain('{"level"');
      expect(lines).toContain(
        `cannot listen on 127.0.0.1:${port} (hub.imtp.port): address in use; another program listens there: stop it, or choose another port in hub.imtp.port`,
      );

      const json = await runCliInTerminal(['start', '--config', file, '--log-format', 'json']);
      expect(json.code, json.stdout).toBe(1);
      expect(json.stdout).toContain('"msg":"gateway failed to start"');
    });
  });

  it('log.format: pretty in the file, through a pipe', async () => {
    await withTakenPort('log: { format: pretty }\n', async (file) => {
      const r = await runCli(['start', '--config', file]);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('{"level"');
      // No colour codes when the output is not a terminal.
      expect(r.stdout).not.toContain('\x1b[');
      expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^\[[\d:.]+\] FATAL: gateway failed to start /);
    });
  });

  it('--log-format pretty: components in brackets, every line out before the process ends', async () => {
    const [imtp, pitp] = await freePorts(2);
    const file = config('ok.yaml', `hub:\n  imtp: { port: ${imtp} }\n  pitp: { port: ${pitp} }\n`);
    const r = await startAndStop(['--config', file, '--log-format', 'pretty']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const l of lines) expect(l).toMatch(PRETTY);
    expect(
      lines.some((l) => /INFO: \[hub\.imtp\] /.test(l)),
      r.stdout,
    ).toBe(true);
    expect(lines.find((l) => l.includes('gateway started'))).toMatch(/"config":/);
    // The last line, written while the process exits, still reaches the terminal.
    expect(lines.at(-1)).toMatch(/INFO: gateway stopped$/);
  });
});
