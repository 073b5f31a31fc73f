/**
 * The admin channel's protocol and where its socket lives (docs/operations-reload.md). One JSON
 * line each way over a Unix domain socket: the client sends `{"command":"reload"}`, the gateway
 * answers `{"ok":true,"changes":[...]}` or `{"ok":false,"problems":[{"path","message"}...]}`
 * and closes. No I/O here, so the gateway (socket.ts) and the CLI (src/cli/reload.ts) share it.
 */
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { substituteEnv, type SubstitutionIssue } from '../config/substitute.js';

/** A request line longer than this is refused (the only command is a few bytes). */
export const MAX_REQUEST_BYTES = 1024;

export const ADMIN_COMMANDS = ['reload'] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];

export interface AdminAnswer {
  readonly ok: boolean;
  readonly changes?: readonly string[];
  readonly problems?: readonly { readonly path: string; readonly message: string }[];
}

/** The command of one request line, or a problem to answer. */
export function parseRequest(line: string): AdminCommand | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: 'the request is not JSON' };
  }
  const command = (value as { command?: unknown } | null)?.command;
  if (typeof command !== 'string') return { problem: 'the request has no "command"' };
  return (ADMIN_COMMANDS as readonly string[]).includes(command)
    ? (command as AdminCommand)
    : { problem: `unknown command "${command}" (known: ${ADMIN_COMMANDS.join(', ')})` };
}

/**
 * The socket of the gateway started with `configFile`: `admin.socket` (relative to the file's
 * folder, `${VAR}` allowed), else the file's path with `.sock` appended. Both the gateway and
 * `cpim-gateway reload` read it this way, so they meet at the same path.
 */
export function adminSocketPath(configFile: string, socket: string | undefined): string {
  return socket === undefined ? resolve(`${configFile}.sock`) : resolve(dirname(configFile), socket);
}

/**
 * `admin.socket` read from the file's text without the full check, so `cpim-gateway reload`
 * finds the gateway even when the edit it wants to load has errors (the gateway lists them).
 */
export function socketFromText(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  let raw: unknown;
  try {
    raw = parseDocument(text).toJS();
  } catch {
    return undefined;
  }
  const value = (raw as { admin?: { socket?: unknown } } | null)?.admin?.socket;
  if (typeof value !== 'string' || value === '') return undefined;
  const issues: SubstitutionIssue[] = [];
  const out = substituteEnv(value, env, issues);
  return issues.length === 0 && typeof out === 'string' ? out : undefined;
}
