/**
 * How a reload is asked for (docs/operations-reload.md): SIGHUP (`systemctl reload`,
 * `kill -HUP`) and the admin socket (`cpim-gateway reload`, which also prints the answer). Both
 * re-read the file the gateway started with; a file with errors is refused with each problem
 * logged at warn with its path, and the running configuration stays.
 */
import { existsSync } from 'node:fs';
import { adminSocketPath } from '../admin/protocol.js';
import { openAdminSocket, type AdminSocket } from '../admin/socket.js';
import type { AdminAnswer } from '../admin/protocol.js';
import type { GatewayConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Gateway } from '../gateway.js';
import type { Logger } from '../log.js';

export interface ReloadControlOptions {
  readonly gateway: Gateway;
  /** The configuration file the gateway started with; absent for the embedded defaults. */
  readonly file: string | undefined;
  /** Reads and checks the file, as at start (throws ConfigError listing every problem). */
  readonly read: (file: string) => GatewayConfig;
  readonly log: Logger;
}

export interface ReloadControl {
  /** Re-reads the file and reloads; what SIGHUP and the admin socket call. Never rejects. */
  reload(trigger: string): Promise<AdminAnswer>;
  /** Opens the admin socket (unless `admin.enabled` is false); a failure is a warn line, not fatal. */
  openSocket(): Promise<void>;
  /** Stops listening for SIGHUP and closes the admin socket. */
  close(): Promise<void>;
}

const NO_FILE =
  'the gateway runs the demo: there is no file to re-read (start it with --config FILE, or write one with cpim-gateway init)';

/** Whether `source` (readConfig's) names a file that a reload can read again. */
export function reloadableFile(source: string): string | undefined {
  return existsSync(source) ? source : undefined;
}

export function reloadControl(options: ReloadControlOptions): ReloadControl {
  const { gateway, file, log } = options;
  let socket: AdminSocket | undefined;

  async function reload(trigger: string): Promise<AdminAnswer> {
    if (file === undefined) {
      log.warn({ trigger }, `reload refused: ${NO_FILE}`);
      return { ok: false, problems: [{ path: '', message: NO_FILE }] };
    }
    log.info({ trigger, config: file }, 'reloading the configuration');
    let next: GatewayConfig;
    try {
      next = options.read(file);
    } catch (err) {
      const problems =
        err instanceof ConfigError ? err.issues : [{ path: '', message: (err as Error).message }];
      for (const p of problems)
        log.warn({ config: file, path: p.path, reason: p.message }, 'reload refused: configuration problem');
      return { ok: false, problems };
    }
    const r = await gateway.reload(next);
    return { ok: r.ok, changes: r.changes, problems: r.problems };
  }

  const onHup = (): void => void reload('SIGHUP');
  process.on('SIGHUP', onHup);

  return {
    reload,
    async openSocket() {
      const admin = gateway.config.admin;
      if (file === undefined || !admin.enabled) return;
      const path = adminSocketPath(file, admin.socket);
      try {
        socket = await openAdminSocket({ path, log, handle: () => reload('admin socket') });
      } catch (err) {
        log.warn(
          { path, reason: (err as Error).message },
          'admin socket not opened: `cpim-gateway reload` cannot reach this gateway (SIGHUP still reloads)',
        );
      }
    },
    async close() {
      process.off('SIGHUP', onHup);
      await socket?.close();
    },
  };
}
