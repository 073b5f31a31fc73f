/**
 * Real mail servers and clients for the email adapter's integration tests: Debian's `swaks` as a
 * child process (killed by PID if it hangs), an smtp-server sink that records what it receives,
 * Debian's Postfix as a foreground relay in a temporary directory, and a stub DNS resolver.
 */
import { spawn, execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { canConnect, freePort } from './net.js';

const run = promisify(execFile);

export interface SwaksResult {
  readonly exitCode: number | null;
  readonly output: string;
}

/** Runs swaks with `args`; kills it by PID after `timeoutMs`. */
export function swaks(args: readonly string[], timeoutMs = 10_000): Promise<SwaksResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('swaks', ['--timeout', '8', '--hide-informational', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output });
    });
  });
}

/** The last server reply line to a command, e.g. "550 5.7.1 relaying denied". */
export function replyTo(output: string, command: RegExp): string | undefined {
  const lines = output.split('\n');
  const i = lines.findIndex((l) => command.test(l));
  if (i < 0) return undefined;
  return lines
    .slice(i + 1)
    .find((l) => /^(<-|<\*\*)\s+\d{3}/.test(l))
    ?.replace(/^(<-|<\*\*)\s+/, '')
    .trim();
}

export interface ReceivedMail {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface MailSink {
  readonly port: number;
  readonly mails: ReceivedMail[];
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

/** A real SMTP server that records every mail; `refuse` decides per recipient. */
export async function startMailSink(
  options: {
    refuse?: (rcpt: string) => { code: number; text: string } | null;
    server?: Partial<SMTPServerOptions>;
  } = {},
): Promise<MailSink> {
  const mails: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    ...options.server,
    onRcptTo(address, _s, cb) {
      const r = options.refuse?.(address.address) ?? null;
      if (r === null) return cb();
      cb(Object.assign(new Error(r.text), { responseCode: r.code }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then((parsed) => {
          const from = session.envelope.mailFrom;
          mails.push({
            mailFrom: from === false ? '' : from.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            parsed,
          });
          for (const w of waiters.splice(0)) w();
          cb();
        }, cb);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} mails, got ${mails.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 100);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return mails;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A DNS resolver for mailauth answering only from `records` (name → TXT strings). */
export function stubResolver(records: Record<string, string[]>) {
  return async (name: string, rrtype: string): Promise<string[][]> => {
    const key = name.toLowerCase().replace(/\.$/, '');
    const txt = records[key];
    if (rrtype === 'TXT' && txt !== undefined) return txt.map((t) => [t]);
    throw Object.assign(new Error(`stub: no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
  };
}

export interface Postfix {
  readonly port: number;
  readonly dir: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Postfix 3.7 as a foreground relay (`postfix -c DIR start-fg`, as root): listens on 127.0.0.1
 * `port`, relays everything from loopback to [127.0.0.1]:relayPort, delivers nothing locally.
 */
export async function startPostfix(relayPort: number): Promise<Postfix> {
  const dir = await mkdtemp(join(tmpdir(), 'postfix-'));
  await chmod(dir, 0o755); // the postfix user must reach its queue
  const port = await freePort();
  const conf = join(dir, 'conf');
  await Promise.all(['conf', 'queue', 'data'].map((d) => mkdir(join(dir, d))));
  await chown(join(dir, 'data'), ...(await postfixIds()));
  await writeFile(
    join(conf, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      'myhostname = relay.postfix.test',
      'mydestination =',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'mynetworks = 127.0.0.0/8',
      `relayhost = [127.0.0.1]:${relayPort}`,
      'smtpd_relay_restrictions = permit_mynetworks, reject',
      'smtp_tls_security_level = none',
      'smtpd_tls_security_level = none',
      'smtp_dns_support_level = disabled',
      'alias_maps =',
      'alias_database =',
      'local_transport = error:local delivery disabled',
      // maillog_file_prefixes allows only /var and /dev/stdout; start-fg keeps stdout ours.
      'maillog_file = /dev/stdout',
      'biff = no',
      'smtputf8_enable = no',
      'queue_run_delay = 1s',
      'minimal_backoff_time = 1s',
      'maximal_backoff_time = 2s',
      '',
    ].join('\n'),
  );
  const services = [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  await writeFile(join(conf, 'master.cf'), services.join('\n') + '\n');
  // postfix-script logs "starting" through postlog and exits 1 (silently) when that fails:
  // with no terminal and no syslog socket (/dev/log, absent in this sandbox) it does. `script`
  // gives it a pseudo-terminal, so its log lines reach us on stdout.
  const child = spawn('script', ['-qfec', `postfix -c ${conf} start-fg`, '/dev/null'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logText = '';
  child.stdout.on('data', (c: Buffer) => (logText += c.toString()));
  child.stderr.on('data', (c: Buffer) => (logText += c.toString()));
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Ready when the smtpd port accepts connections.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await canConnect(port)) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      const check = await run('postfix', ['-c', conf, 'check']).catch((e: { stderr?: string }) => ({
        stderr: e.stderr ?? '',
      }));
      throw new Error(`postfix did not start (exit ${child.exitCode}): ${logText} ${check.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    dir,
    log: async () => logText,
    async stop() {
      await run('postfix', ['-c', conf, 'stop']).catch(() => undefined);
      if (pid !== undefined) {
        const t = setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 5000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postfixIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postfix']);
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  return [Number(uid), Number(gid)];
}
