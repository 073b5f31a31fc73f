/**
 * Reload on a real `cpim-gateway start` process (issue 14, docs/operations-reload.md): a SIGHUP
 * adds an account that can then log in while another client stays connected and can still send;
 * `cpim-gateway reload` refuses a broken edit, printing each problem, and the gateway keeps
 * running on the configuration it had; a good edit through it prints what changed. The admin
 * socket is mode 0600 and goes away with the gateway.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectHub, HubClientError, type HubClient } from '../src/hub/client.js';
import { stoppable } from './support/child.js';
import { h, OK, sendText } from './support/hub-calls.js';
import { freePorts, untilListening, waitFor } from './support/net.js';

const BIN = new URL('../bin/cpim-gateway.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cpim-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(ports: { imtp: number; pitp: number }, users: readonly string[], extra = ''): string {
  const accounts = users
    .map((u) => `    - { user: ${u}, password: ${u}, identities: ["im:${u}@gw.test"] }\n`)
    .join('');
  return (
    `gateway: { domains: [gw.test] }\n` +
    // The ops endpoint on a free port: never the default 9464 a parallel test may hold.
    `ops: { host: 127.0.0.1, port: 0 }\n` +
    `files: { listen: { host: 127.0.0.1, port: 0 } }\n` +
    `storage: { path: ${JSON.stringify(join(dir, 'gw.sqlite'))} }\n` +
    `hub:\n  imtp: { host: 127.0.0.1, port: ${ports.imtp} }\n  pitp: { host: 127.0.0.1, port: ${ports.pitp} }\n` +
    `  sasl: { mechanisms: [PLAIN], allowPlainWithoutTls: true }\n  accounts:\n${accounts}${extra}`
  );
}

/** Runs `cpim-gateway reload --config FILE` to its exit (killed after 60 s: a hang fails too). */
function runReload(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'reload', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('reloading a running cpim-gateway process', () => {
  it('SIGHUP and `cpim-gateway reload` apply good edits and refuse broken ones', async () => {
    const [imtp, pitp] = await freePorts(2);
    const ports = { imtp: imtp!, pitp: pitp! };
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, config(ports, ['alice', 'bob']));
    const child = spawn(process.execPath, [BIN, 'start', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = stoppable(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const count = (msg: string) => out.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
    const clients: HubClient[] = [];
    const login = async (user: string, received?: unknown[]) => {
      const c = await connectHub({
        host: '127.0.0.1',
        port: ports.imtp,
        protocol: 'imtp',
        sasl: { mechanism: 'PLAIN', user, password: user },
        onCommand: (cmd) => {
          received?.push(cmd);
          return OK;
        },
      });
      clients.push(c);
      return c;
    };
    try {
      await untilListening([ports.imtp], 'the gateway', () => !proc.alive(), 30_000);
      await waitFor(
        () => count('admin socket listening (cpim-gateway reload)') === 1,
        10_000,
        'the admin socket',
      );
      const socket = `${file}.sock`;
      expect(statSync(socket).mode & 0o777).toBe(0o600);

      const alice = await login('alice');
      await expect(login('dave')).rejects.toBeInstanceOf(HubClientError);

      // SIGHUP: the same file, re-read.
      writeFileSync(file, config(ports, ['alice', 'bob', 'dave']));
      process.kill(child.pid!, 'SIGHUP');
      await waitFor(() => count('configuration reloaded') === 1, 20_000, 'the reload');
      const toDave: unknown[] = [];
      const dave = await login('dave', toDave);
      expect((await dave.command('listen', [['Inbox', 'im:dave@gw.test']])).status).toBe('ok');
      const sent = await sendText(alice, 'im:alice@gw.test', 'im:dave@gw.test', 'after SIGHUP');
      expect(sent.status, h(sent.headers, 'Error-Description')).toBe('ok');
      expect(toDave).toHaveLength(1);

      // A broken edit through the CLI: each problem printed, exit 1, nothing changes.
      writeFileSync(file, config(ports, ['alice', 'bob', 'dave', 'erin'], '  acounts: []\n'));
      const broken = await runReload(file);
      expect(broken.code, broken.stdout + broken.stderr).toBe(1);
      expect(broken.stderr).toContain('reload refused; the gateway keeps its configuration');
      expect(broken.stderr).toContain('hub: unknown key(s): acounts');
      expect(proc.alive()).toBe(true);
      await expect(login('erin')).rejects.toBeInstanceOf(HubClientError);
      expect((await sendText(alice, 'im:alice@gw.test', 'im:dave@gw.test', 'still')).status).toBe('ok');
      expect(out).toContain('"msg":"reload refused: configuration problem"');

      // A good edit through the CLI prints what changed.
      writeFileSync(file, config(ports, ['alice', 'bob', 'dave', 'erin']));
      const good = await runReload(file);
      expect([good.code, good.stdout]).toEqual([0, 'ok: reloaded\n  hub.accounts\n']);
      await login('erin');
      expect(alice.connection.closed).toBe(false);
      expect((await sendText(alice, 'im:alice@gw.test', 'im:dave@gw.test', 'end')).status).toBe('ok');

      await Promise.all(clients.map((c) => c.close()));
      await proc.stop('SIGTERM', 10_000);
      expect(existsSync(socket)).toBe(false);
    } finally {
      await proc.stop('SIGKILL');
    }
  }, 120_000);
});
