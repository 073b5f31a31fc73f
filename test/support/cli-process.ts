/**
 * Running the real `cpim-gateway` binary as a user does, to its exit: with standard output a pipe
 * (what a supervisor or CI sees), or inside a pseudo-terminal made by util-linux `script` (what a
 * person at a terminal sees). A run that outlives its time is killed by PID and fails the test.
 */
import { spawn } from 'node:child_process';

export const BIN = new URL('../../bin/cpim-gateway.js', import.meta.url).pathname;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cpim-gateway ARGS` with pipes; killed (SIGKILL, by PID) after `timeoutMs`. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return collect(child, options.timeoutMs ?? 30_000);
}

/** A word for a POSIX shell: single-quoted, with `'` written as `'\''`. */
function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `cpim-gateway ARGS` with a terminal as its standard output (and input, and error):
 * `script -qec CMD /dev/null` makes the pseudo-terminal and relays what is written to it. Both
 * streams arrive together on `stdout`, with CRLF line ends and any colour codes as written.
 */
export function runCliInTerminal(args: readonly string[], timeoutMs = 30_000): Promise<CliRun> {
  const command = [process.execPath, BIN, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, timeoutMs);
}

function collect(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The text without ANSI colour codes (SGR sequences). */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
