/**
 * The `admin:` section: the local channel `cpim-gateway reload` uses to reach the running
 * gateway (docs/operations-reload.md). A Unix domain socket, mode 0600, so only the user the
 * gateway runs as (and root) can use it; no network port is opened for it.
 */
import { z } from 'zod';

export const adminSchema = z
  .strictObject({
    /**
     * Path of the admin socket. Default: the configuration file's path with `.sock` appended
     * (`gateway.config.yaml.sock`); none when the gateway runs on the embedded defaults.
     */
    socket: z
      .string()
      .min(1)
      .max(100, 'a Unix socket path is at most about 100 bytes')
      .optional()
      .describe(
        'Unix socket (mode 0600) that `cpim-gateway reload` talks to; default: the config file path + ".sock"',
      ),
    /** Off: no socket; reload only with SIGHUP. */
    enabled: z
      .boolean()
      .prefault(true)
      .describe('open the admin socket; when false, reload only with SIGHUP (e.g. `systemctl reload`)'),
  })
  .describe('the local admin channel of `cpim-gateway reload`');

export type AdminConfig = z.output<typeof adminSchema>;
