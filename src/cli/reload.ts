/**
 * `cpim-gateway reload [--config FILE] [--socket PATH]` (docs/operations-reload.md): asks the
 * running gateway, through its admin socket, to re-read its configuration file, and prints the
 * answer: what changed, or each problem with its path (exit 1). The socket is found the way the
 * gateway opened it: `admin.socket` of FILE, else FILE + ".sock".
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { adminSocketPath, socketFromText, type AdminAnswer } from '../admin/protocol.js';
import { CliFailure, type CliIo } from './common.js';

const DEFAULT_CONFIG_FILE = 'gateway.config.yaml';

/** A reload that restarts adapters may take a while; past this the command gives up waiting. */
const ANSWER_TIMEOUT_MS = 60_000;

function socketPath(values: { config?: string | undefined; socket?: string | undefined }, io: CliIo): string {
  if (values.socket !== undefined) return values.socket;
  const file = values.config ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(file))
    throw new CliFailure(
      values.config === undefined
        ? `no ${DEFAULT_CONFIG_FILE} here: name the gateway's file with --config FILE (a gateway on the embedded defaults cannot be reloaded)`
        : `cannot read ${file}`,
    );
  return adminSocketPath(file, socketFromText(readFileSync(file, 'utf8'), io.env ?? process.env));
}

function ask(path: string): Promise<AdminAnswer> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new CliFailure(`no answer from the gateway on ${path} within ${ANSWER_TIMEOUT_MS / 1000} s`));
    }, ANSWER_TIMEOUT_MS);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ command: 'reload' }) + '\n'));
    s.on('data', (d: string) => (text += d));
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? 'no gateway answers there (is it running with this configuration, with admin.enabled?)'
          : err.code === 'EACCES'
            ? 'permission denied (run as the user the gateway runs as)'
            : err.message;
      reject(new CliFailure(`cannot reach the gateway on ${path}: ${why}`));
    });
    s.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as AdminAnswer);
      } catch {
        reject(new CliFailure(`the gateway on ${path} gave no readable answer`));
      }
    });
  });
}

export async function reloadCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string', short: 'c' }, socket: { type: 'string' } },
    strict: true,
  });
  const answer = await ask(socketPath(values, io));
  const changes = answer.changes ?? [];
  if (answer.ok) {
    io.stdout(changes.length === 0 ? 'ok: nothing changed\n' : `ok: reloaded\n${lines(changes)}`);
    return 0;
  }
  const problems = (answer.problems ?? []).map((p) => `${p.path || '(root)'}: ${p.message}`);
  io.stderr(
    changes.length === 0
      ? `cpim-gateway: reload refused; the gateway keeps its configuration\n${lines(problems)}`
      : `cpim-gateway: reload incomplete\n${lines(problems)}applied:\n${lines(changes)}`,
  );
  return 1;
}

const lines = (items: readonly string[]): string => items.map((i) => `  ${i}\n`).join('');
