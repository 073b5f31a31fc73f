/**
 * A start that fails leaves nothing half-started (issue 13, defect 7): the real binary with a
 * port already taken stops every listener it had opened, prints one plain line naming the
 * address, the port and the configuration key, and what to do (issue 14), and exits 1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canConnect, freePorts } from './support/net.js';

const BIN = new URL('../bin/cpim-gateway.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cpim-startfail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** Runs `cpim-gateway start` to its exit (killed after 20 s: a hang is a failure too). */
function runStart(config: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const file = join(dir, `gw-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  const child = spawn(process.execPath, [BIN, 'start', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    }),
  );
}

/** Hub on `imtp`/`pitp`, then a web adapter and an email adapter in the order given. */
function config(
  p: { imtp: number; pitp: number; http: number; smtp: number; ops: number },
  webFirst: boolean,
): string {
  const web = `  - { type: websocket, id: web, http: { host: 127.0.0.1, port: ${p.http}, page: false } }\n`;
  const mail =
    `  - { type: email, id: mail, domain: mail.gw.test, inbound: { host: 127.0.0.1, port: ${p.smtp} },` +
    ` outbound: { transport: directory, directory: ${JSON.stringify(join(dir, 'out'))} } }\n`;
  return (
    `hub:\n  imtp: { host: 127.0.0.1, port: ${p.imtp} }\n  pitp: { host: 127.0.0.1, port: ${p.pitp} }\n` +
    `ops: { host: 127.0.0.1, port: ${p.ops} }\n` +
    `files: { listen: { host: 127.0.0.1, port: 0 } }\n` +
    `storage: { path: ${JSON.stringify(join(dir, 'gw.sqlite'))} }\n` +
    `adapters:\n${webFirst ? web + mail : mail + web}`
  );
}

describe('cpim-gateway start with a port in use', () => {
  const cases = [
    { taken: 'imtp', key: 'hub.imtp.port', webFirst: true },
    { taken: 'http', key: 'adapters[1].http.port', webFirst: false },
    { taken: 'smtp', key: 'adapters[1].inbound.port', webFirst: true },
    // Issue 14: the operations endpoint (docs/operations.md) starts first, so nothing else opened.
    { taken: 'ops', key: 'ops.port', webFirst: true },
  ] as const;
  for (const c of cases) {
    it(`${c.key} taken: one line on stderr, exit 1, the other listeners closed again`, async () => {
      const [imtp, pitp, http, smtp, ops] = await freePorts(5);
      const ports = { imtp: imtp!, pitp: pitp!, http: http!, smtp: smtp!, ops: ops! };
      const blocker = await occupy(ports[c.taken]);
      try {
        const r = await runStart(config(ports, c.webFirst));
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(r.stderr).toBe(
          `cannot listen on 127.0.0.1:${ports[c.taken]} (${c.key}): address in use; ` +
            `another program listens there: stop it, or choose another port in ${c.key}\n`,
        );
        // The log says the same, without a stack trace.
        expect(r.stdout).toContain('"gateway failed to start"');
        expect(r.stdout).not.toContain('"stack"');
        for (const [name, port] of Object.entries(ports)) {
          if (name === c.taken) continue;
          expect(await canConnect(port), `${name} port ${port} still open`).toBe(false);
        }
      } finally {
        await new Promise((r) => blocker.close(r));
      }
    }, 30_000);
  }
});
