/**
 * The "what to do" half of the lines src/cli/errors.ts prints: plain words for a file that cannot
 * be read, a listener that cannot open and a gateway that cannot be reached (docs/cli.md,
 * "When something goes wrong").
 */
import type { ListenError } from '../errors.js';
import type { HubClientErrorCode } from '../hub/client.js';

/** Plain words for the file-system codes a person can act on. */
export const FILE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file; check the path',
  EACCES: 'permission denied; check who may read it',
  EISDIR: 'that is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder; check the path',
};

/** `cannot read the CA file x.pem: no such file; check the path`, from a failed read. */
export function unreadable(what: string | undefined, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  return `cannot read ${what === undefined ? '' : `${what} `}${path}: ${FILE_REASONS[code] ?? (err as Error).message}`;
}

/** What to do about a listener that could not open (the ListenError line names the key). */
export function listenHint(e: ListenError): string {
  switch (e.reason) {
    case 'address in use':
      return `another program listens there: stop it, or choose another port in ${e.key}`;
    case 'permission denied':
      return `ports below 1024 need privileges: choose a port above 1023 in ${e.key}, or grant the capability to bind it`;
    case 'address not available':
      return `${e.host} is not an address of this machine: change the host beside ${e.key}`;
    default:
      return `check ${e.key} and the host beside it`;
  }
}

/** What to do when a client command cannot reach or log in to the gateway. */
export function connectHint(code: HubClientErrorCode): string {
  switch (code) {
    case 'connect':
      return 'is the gateway running there? Start it with "cpim-gateway start", or name it with --hub HOST[:PORT]';
    case 'timeout':
      return 'check the address and port (--hub, --imtp, --pitp) and any firewall on the way';
    case 'tls':
      return "check --ca (the CA that signed the gateway's certificate) and the host name you connect to";
    case 'sasl-failure':
      return 'check --user and --password (or CPIM_USER / CPIM_PASSWORD)';
    case 'mech-mismatch':
      return 'the gateway does not offer that login: use --user/--password, or --cert/--key over TLS';
    case 'closed':
      return 'the gateway closed the connection; its log says why';
  }
}
