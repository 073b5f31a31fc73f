/**
 * The `cpim-gateway` command: every vector through `inspect` (strict and lenient), the exit
 * codes, and the real binary on a file, on standard input and for `start`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { vectorCases } from './support/vectors.js';

const BIN = new URL('../bin/cpim-gateway.js', import.meta.url).pathname;

async function run(
  argv: string[],
  stdin: Uint8Array = new Uint8Array(0),
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => stdin,
  });
  return { code, out, err };
}

const COMPARED = [
  'headers',
  'content_headers',
  'body',
  'semantics',
  'mime_headers',
  'entity',
  'tuples',
  'presence_notes',
];

describe('cpim-gateway inspect on every vector', () => {
  for (const v of vectorCases()) {
    const modes: ['strict' | 'lenient', { result: string }][] = [['strict', v.expected.strict]];
    if (v.expected.lenient) modes.push(['lenient', v.expected.lenient]);
    for (const [mode, want] of modes) {
      it(`${v.name} (${mode}) → ${want.result}`, async () => {
        const args = ['inspect', '--type', v.kind, ...(mode === 'lenient' ? ['--lenient'] : []), v.inputPath];
        const { code, out, err } = await run(args);
        const report = JSON.parse(out) as Record<string, unknown>;
        expect(report.result).toBe(want.result);
        const refused = want.result === 'reject' || report.decision === 'reject';
        expect(code).toBe(refused ? 1 : 0);
        if (refused) {
          expect(err).toMatch(/^rejected: /);
          expect(report.reason).toEqual(expect.any(String));
        }
        // Field for field, what the expected file lists for an accepted document.
        if (mode === 'strict' && want.result !== 'reject') {
          for (const field of COMPARED) {
            if (!(field in v.expected)) continue;
            const want = v.expected[field];
            if (field === 'semantics' && want && typeof want === 'object') {
              // The files give the semantics keys that matter for each vector; compare those.
              const got = report.semantics as Record<string, unknown>;
              for (const [key, value] of Object.entries(want)) {
                if (key === 'subjects' && JSON.stringify(value).includes('text_length')) continue;
                expect(got[key], `semantics.${key}`).toEqual(value);
              }
            } else expect(report[field], field).toEqual(want);
          }
        }
      });
    }
  }
});

describe('cpim-gateway command line', () => {
  it('detects the type when --type is not given', async () => {
    for (const v of vectorCases().filter((c) => c.expected.strict.result === 'accept')) {
      const { out } = await run(['inspect', v.inputPath]);
      expect((JSON.parse(out) as { type: string }).type, v.name).toBe(v.kind);
    }
  });

  it('reads standard input for "-"', async () => {
    const [v] = vectorCases('cpim');
    const { code, out } = await run(['inspect', '-'], v!.input);
    expect(code).toBe(0);
    expect((JSON.parse(out) as { type: string }).type).toBe('cpim');
  });

  it('answers usage errors with exit code 2', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['inspect'])).code).toBe(2);
    expect((await run(['inspect', '--type', 'xml', 'x'])).code).toBe(2);
    expect((await run(['inspect', '--bogus', 'x'])).code).toBe(2);
    expect((await run(['inspect', '/nonexistent/file'])).code).toBe(2);
  });

  it('check-config reports every problem with its path and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpim-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'hub: { imtp: { port: -1 } }\nlog: { level: loud }\n');
    const { code, err } = await run(['check-config', file]);
    expect(code).toBe(1);
    expect(err).toMatch(/hub\.imtp\.port/);
    expect(err).toMatch(/log\.level/);
    const good = await run(['check-config', new URL('../gateway.config.yaml', import.meta.url).pathname]);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^ok: /);
  });

  it('the installed binary inspects a file and exits 1 on a rejected one', () => {
    const reject = vectorCases('cpim').find((c) => c.expected.strict.result === 'reject')!;
    const r = spawnSync(process.execPath, [BIN, 'inspect', reject.inputPath], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'cpim', result: 'reject' });
    expect(r.stderr).toMatch(/rejected: .+\(RFC/);
  });

  it('the installed binary starts the gateway and stops it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpim-start-'));
    const file = join(dir, 'gateway.config.yaml');
    // Every port free, the ops endpoint's too: a parallel test may hold the default 9464.
    writeFileSync(
      file,
      'hub:\n  imtp: { port: 0 }\n  pitp: { port: 0 }\nops: { host: 127.0.0.1, port: 0 }\nfiles: { listen: { host: 127.0.0.1, port: 0 } }\n' +
        `storage: { path: ${JSON.stringify(join(dir, 'gw.sqlite'))} }\n`,
    );
    const child = spawn(process.execPath, [BIN, 'start', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line; output: ${out}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('"gateway started"')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
