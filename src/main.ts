/**
 * Composition root (docs/architecture.md part 3): configuration → logger → adapters → gateway, and the
 * process signals. The only file besides cli.ts that touches process state, and the one edge
 * from the core to adapters/.
 */
import { existsSync } from 'node:fs';
import { adapterDefinitions } from '../adapters/index.js';
import { adapterChecks } from './config/adapter-config.js';
import {
  DEMO_SOURCE,
  demoBanner,
  demoConfigInput,
  demoPortHint,
  demoPorts,
  demoWelcome,
} from './config/demo.js';
import { checkConfig, loadConfigFile, type AdapterConfigCheck } from './config/load.js';
import type { GatewayConfig } from './config/schema.js';
import { ListenError } from './errors.js';
import { createGateway, type Gateway } from './gateway.js';
import { StoreError } from './store/errors.js';
import { listenHint } from './cli/hints.js';
import { createRootLogger, resolveLogFormat, type LogFormat, type Logger } from './log.js';
import { reloadableFile, reloadControl, type ReloadControl } from './reload/control.js';

export const DEFAULT_CONFIG_FILE = 'gateway.config.yaml';

/** The adapter types known to this build, for configuration checks. */
export function knownAdapterChecks(): Map<string, AdapterConfigCheck> {
  return adapterChecks(adapterDefinitions);
}

/**
 * Reads the configuration: the named file, else gateway.config.yaml in the working directory,
 * else the demo (src/config/demo.ts), so `cpim-gateway start` serves something anywhere.
 */
export function readConfig(path: string | undefined): {
  config: GatewayConfig;
  source: string;
  demo?: true;
} {
  if (path !== undefined)
    return { config: loadConfigFile(path, { adapterTypes: knownAdapterChecks() }), source: path };
  if (existsSync(DEFAULT_CONFIG_FILE)) {
    return {
      config: loadConfigFile(DEFAULT_CONFIG_FILE, { adapterTypes: knownAdapterChecks() }),
      source: DEFAULT_CONFIG_FILE,
    };
  }
  const input = demoConfigInput(demoPorts(process.env));
  const config = checkConfig(input, DEMO_SOURCE, { env: {}, adapterTypes: knownAdapterChecks() });
  return { config, source: DEMO_SOURCE, demo: true };
}

/** What the command line says about logging; each overrides the file's `log:` section. */
export interface RunOptions {
  readonly logLevel?: GatewayConfig['log']['level'];
  readonly logFormat?: LogFormat | 'auto';
}

/** Runs the gateway until SIGINT or SIGTERM. Resolves with the process exit code. */
export async function runGateway(configPath: string | undefined, options: RunOptions = {}): Promise<number> {
  const { config, source, demo } = readConfig(configPath);
  const level = options.logLevel ?? config.log.level;
  const format = resolveLogFormat(options.logFormat ?? config.log.format, process.stdout.isTTY === true);
  const log = createRootLogger({ level, format });
  if (demo) {
    process.stderr.write(demoBanner());
    log.warn(
      { config: source, users: ['alice', 'bob'] },
      'demo mode: published demo credentials, loopback only, never for a network',
    );
  }
  const gateway = createGateway(config, { log, adapterDefinitions });
  exitOnUncaught(gateway, log);
  // SIGHUP re-reads the same file (docs/operations-reload.md); listening from here on, so a
  // SIGHUP during the start is answered with a log line instead of the default: exiting.
  const control = reloadControl({
    gateway,
    file: reloadableFile(source),
    read: (file) => loadConfigFile(file, { adapterTypes: knownAdapterChecks() }),
    log,
  });
  try {
    await gateway.start();
  } catch (err) {
    await control.close();
    // gateway.start() has already stopped what it opened. One plain line on standard error
    // names the problem and what to do (for a port: the address, the port and the configuration
    // key); the stack only at --log-level debug (issue 14, "Errors a user meets at the command
    // line"). A listen failure is the user's to fix and never carries a stack; anything else
    // keeps its stack in a JSON log, for machines, and in a pretty one only at debug.
    const detail = level === 'debug' || level === 'trace';
    const listen = err instanceof ListenError;
    // A store that cannot open (issue 15): its line names the file and says what to do.
    const store = err instanceof StoreError;
    const reason = (err as Error).message;
    // The demo has no file to edit: its hint says how to move its ports instead.
    const line = listen
      ? `${reason}${demo ? demoPortHint(err.key) : `; ${listenHint(err)}`}`
      : `cannot start: ${reason}${detail || store ? '' : ' (run again with --log-level debug to see where it failed)'}`;
    if (!listen && !store && (detail || format === 'json')) log.fatal({ err }, 'gateway failed to start');
    else log.fatal({ reason }, 'gateway failed to start');
    log.flush();
    process.stderr.write(`${line}\n${detail && !listen ? `${(err as Error).stack}\n` : ''}`);
    return 1;
  }
  log.info({ config: source, domains: config.gateway.domains }, 'gateway started');
  if (demo) process.stdout.write(demoWelcome(config));
  await control.openSocket();
  return await waitForSignal(gateway, log, control);
}

/** How long a gateway stopping after an uncaught exception may take before the process exits anyway. */
const FATAL_STOP_MS = 3000;

/**
 * Issue 13 ("contain every failure at its boundary"): an exception that escapes every boundary
 * anyway (or a rejection nobody handled, which Node raises the same way) leaves the process in an
 * unknown state. It is logged as fatal with its stack, the gateway stops (listeners closed, peers
 * told), and the process exits 1 for the supervisor to restart: never left running half-broken.
 */
function exitOnUncaught(gateway: Gateway, log: Logger): void {
  let crashed = false;
  process.on('uncaughtException', (err, origin) => {
    if (crashed) return; // A second one while stopping: the timer below still ends the process.
    crashed = true;
    log.fatal({ err, origin }, 'uncaught exception, stopping the gateway');
    log.flush();
    // The log is written asynchronously: exit once what is queued is out (the stop's own lines
    // included), or half a second later at most.
    const exit = (): void => {
      log.flush(() => process.exit(1));
      setTimeout(() => process.exit(1), 500).unref();
    };
    setTimeout(exit, FATAL_STOP_MS + 500);
    gateway.stop(FATAL_STOP_MS).then(exit, exit);
  });
}

function waitForSignal(gateway: Gateway, log: Logger, control: ReloadControl): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      const closed = control.close().catch((err: unknown) => log.warn({ err }, 'admin socket did not close'));
      Promise.all([closed, gateway.stop(5000)]).then(
        () => {
          log.info('gateway stopped');
          log.flush();
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'gateway did not stop cleanly');
          log.flush();
          resolve(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
