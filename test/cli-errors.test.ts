/**
 * Errors a user meets at the command line (issue 14, "Logs for people and for machines"): each is
 * one line on standard error that says what to do, with the stack only at `--log-level debug`.
 * The real binary, spawned as a user runs it; docs/cli.md lists the same lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './support/cli-process.js';
import { freePorts } from './support/net.js';

const dir = mkdtempSync(join(tmpdir(), 'cpim-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Exactly one line on standard error, and no stack frame anywhere. */
function oneLine(r: CliRun): string {
  const lines = r.stderr.split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('cpim-gateway: errors at the command line', () => {
  it('an unknown command: one line pointing to help, exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('cpim-gateway: unknown command "frobnicate" (see "cpim-gateway help")');
  });

  it('an unknown option: one line naming it, exit 2', async () => {
    const r = await runCli(['start', '--bogus']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('cpim-gateway: unknown option --bogus (see "cpim-gateway help")');
  });

  it('a bad --log-format is a usage error', async () => {
    const r = await runCli(['start', '--log-format', 'xml']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(
      'cpim-gateway: --log-format must be one of auto, json, pretty (see "cpim-gateway help")',
    );
  });

  it('a configuration file that does not exist', async () => {
    const missing = join(dir, 'nowhere.yaml');
    const r = await runCli(['start', '--config', missing]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(
      `cpim-gateway: cannot read the configuration file ${missing}: no such file; check the path`,
    );
  });

  it('a document to inspect that does not exist', async () => {
    const missing = join(dir, 'nothing.txt');
    const r = await runCli(['inspect', missing]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(`cpim-gateway: cannot read ${missing}: no such file; check the path`);
  });

  it('a configuration with errors: what to do, then one line per problem', async () => {
    const bad = file('bad.yaml', 'hub: { imtp: { port: -1 } }\nlog: { level: loud }\n');
    const r = await runCli(['start', '--config', bad]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `cpim-gateway: ${bad} has 2 problems; fix them and run "cpim-gateway check-config ${bad}" to check again:`,
    );
    expect(
      lines
        .slice(1)
        .map((l) => /^ {2}([a-z.]+): /.exec(l)?.[1])
        .sort(),
    ).toEqual(['hub.imtp.port', 'log.level']);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('issue 19: a room that contains itself is a configuration error with its path, for check-config and start', async () => {
    const bad = file(
      'room-loop.yaml',
      'gateway: { domains: [x.test] }\nrooms:\n' +
        '  - { name: a, address: "im:a@x.test", members: ["im:b@x.test"] }\n' +
        '  - { name: b, address: "im:b@x.test", members: ["im:a@x.test"] }\n',
    );
    for (const args of [
      ['check-config', bad],
      ['start', '--config', bad],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cpim-gateway: ${bad} has 2 problems`);
      expect(r.stderr).toContain(
        'rooms[0].members[0]: the room a contains itself: im:a@x.test → im:b@x.test → im:a@x.test',
      );
      expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
    }
  });

  it('send and listen with no gateway there: connection refused, and what to do', async () => {
    const hint =
      'is the gateway running there? Start it with "cpim-gateway start", or name it with --hub HOST[:PORT]';
    const client = ['--hub', '127.0.0.1:1', '--user', 'alice', '--password', 'alice'];
    const send = await runCli([
      'send',
      '--from',
      'im:alice@localhost',
      '--to',
      'im:bob@localhost',
      ...client,
      'hi',
    ]);
    expect(send.code).toBe(1);
    expect(oneLine(send)).toBe(`cpim-gateway: IMTP 127.0.0.1:1: connection refused by 127.0.0.1:1; ${hint}`);
    const listen = await runCli(['listen', 'im:alice@localhost', ...client]);
    expect(listen.code).toBe(1);
    expect(oneLine(listen)).toBe(
      `cpim-gateway: IMTP 127.0.0.1:1: connection refused by 127.0.0.1:1; ${hint}`,
    );
  });

  it('a start that fails for another reason: one line, and the stack only with --log-level debug', async () => {
    const [imtp, pitp] = await freePorts(2);
    const missing = join(dir, 'missing.pem');
    const config = file(
      'tls.yaml',
      `hub:\n  imtp: { port: ${imtp}, tls: { cert: ${missing}, key: ${missing} } }\n  pitp: { port: ${pitp} }\n` +
        `ops: { host: 127.0.0.1, port: 0 }\n` +
        `files: { listen: { host: 127.0.0.1, port: 0 } }\n` +
        `storage: { path: ${JSON.stringify(join(dir, 'gw.sqlite'))} }\n`,
    );
    const quiet = await runCli(['start', '--config', config]);
    expect(quiet.code).toBe(1);
    const line = oneLine(quiet);
    expect(line).toMatch(
      /^cannot start: .*missing\.pem.* \(run again with --log-level debug to see where it failed\)$/,
    );
    expect(quiet.stdout).toContain('"gateway failed to start"');

    const debug = await runCli(['start', '--config', config, '--log-level', 'debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toMatch(/^cannot start: .*missing\.pem/);
    expect(debug.stderr).toMatch(/^\s+at /m);
    // At debug the log line carries the error with its stack too.
    expect(debug.stdout).toContain('"stack"');
  });
});
