/**
 * `cpim-gateway init` (issue 14): writes a commented starting configuration that check-config
 * accepts, with the demo's shape, generated secrets (each overridable from the environment) and
 * the list of what to change before a network; never overwrites a file without --force.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterDefinitions } from '../adapters/index.js';
import { main } from '../src/cli.js';
import { adapterChecks } from '../src/config/adapter-config.js';
import { parseConfigText } from '../src/config/load.js';

const BIN = new URL('../bin/cpim-gateway.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cpim-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => new Uint8Array(0),
  });
  return { code, out, err };
}

const load = (text: string, env: Record<string, string> = {}) =>
  parseConfigText(text, 'init.yaml', { env, adapterTypes: adapterChecks(adapterDefinitions) });

describe('cpim-gateway init', () => {
  it('writes a starting configuration check-config accepts, private, with generated secrets', async () => {
    const file = join(dir, 'a.yaml');
    const r = await run(['init', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`wrote ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const checked = await run(['check-config', file]);
    expect(checked.code, checked.err).toBe(0);
    expect(checked.out).toContain('adapters: web, mail');

    // The demo's shape: hub users, web tokens, a lobby room, mail in and .eml files out.
    const config = load(text);
    expect(config.hub.accounts.map((a) => a.user)).toEqual(['alice', 'bob']);
    expect(config.rooms.map((room) => room.address)).toEqual(['im:lobby@localhost']);
    expect(config.adapters.map((a) => a.type)).toEqual(['websocket', 'email']);
    expect(config.hub.imtp.host).toBe('127.0.0.1');
    // No published secret: each is generated for this file and can come from the environment.
    expect(text).not.toMatch(/change-me|password: alice\b/);
    const secrets = [
      ...text.matchAll(/\$\{(?:ALICE_PASSWORD|BOB_PASSWORD|WEB_ALICE_TOKEN|WEB_BOB_TOKEN):-([^}]+)\}/g),
    ].map((m) => m[1]!);
    expect(secrets).toHaveLength(4);
    expect(new Set(secrets).size).toBe(4);
    for (const s of secrets) expect(s.length).toBeGreaterThanOrEqual(24);
    expect(load(text, { ALICE_PASSWORD: 'from-env' }).hub.accounts[0]!.password).toBe('from-env');
    // What to change before a network is said in the file.
    expect(text).toMatch(/Before one faces a network/);
    expect(text).toMatch(/allowPlainWithoutTls to false/);

    // Another file gets other secrets.
    await run(['init', join(dir, 'b.yaml')]);
    const other = readFileSync(join(dir, 'b.yaml'), 'utf8');
    for (const s of secrets) expect(other).not.toContain(s);
  });

  it('never overwrites a file without --force', async () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'gateway: { domains: [mine.example] }\n');
    const r = await run(['init', file]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`cpim-gateway: ${file} exists; give --force to overwrite it\n`);
    expect(readFileSync(file, 'utf8')).toBe('gateway: { domains: [mine.example] }\n');
    const forced = await run(['init', '--force', file]);
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('written by `cpim-gateway init`');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('--domain names the domains; a bad one is a usage error', async () => {
    const file = join(dir, 'example.yaml');
    expect((await run(['init', '--domain', 'Chat.Example.org', file])).code).toBe(0);
    const config = load(readFileSync(file, 'utf8'));
    expect(config.gateway.domains).toEqual(['chat.example.org']);
    expect(config.adapters.map((a) => a['domain'])).toEqual([
      'web.chat.example.org',
      'mail.chat.example.org',
    ]);
    expect(config.hub.accounts[0]!.identities).toEqual([
      'im:alice@chat.example.org',
      'pres:alice@chat.example.org',
    ]);
    expect((await run(['init', '--domain', 'not a domain', join(dir, 'x.yaml')])).code).toBe(2);
    expect((await run(['init', 'one.yaml', 'two.yaml'])).code).toBe(2);
  });

  it('with no FILE writes ./gateway.config.yaml, which start and check-config then read', () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const r = spawnSync(process.execPath, [BIN, 'init'], { cwd, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'gateway.config.yaml'), 'utf8')).toContain('cpim-gateway init');
    const check = spawnSync(process.execPath, [BIN, 'check-config'], { cwd, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^ok: gateway\.config\.yaml\n/);
    expect(check.stdout).not.toContain('demo');
  });
});
