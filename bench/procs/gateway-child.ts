/**
 * A gateway in its own process, so the load generator never shares its event loop. The parent
 * (bench/lib/procs.ts) forks this file with tsx and talks over IPC:
 *   parent → { type: 'start', config }        child → { type: 'ready', addresses }
 *   parent → { type: 'memory' }               child → { type: 'memory', usage } (after full GCs)
 *   parent → { type: 'cpu' }                  child → { type: 'cpu', micros } (user + system so far)
 *   parent → { type: 'stop' }                 child stops the gateway and exits 0
 * Log lines at `warn` and above go to stderr.
 */
import { checkConfig } from '../../src/config/load.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createRootLogger } from '../../src/log.js';

type Message =
  | { type: 'start'; config: Record<string, unknown> }
  | { type: 'memory' }
  | { type: 'cpu' }
  | { type: 'stop' };

let gateway: Gateway | null = null;

function send(m: unknown): void {
  process.send?.(m);
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  for (let i = 0; i < 3; i++) gc();
}

process.on('message', (m: Message) => {
  void (async () => {
    switch (m.type) {
      case 'start': {
        const config = checkConfig(m.config, 'bench', { env: {} });
        const log = createRootLogger({ level: config.log.level, destination: process.stderr });
        gateway = createGateway(config, { log });
        await gateway.start();
        send({ type: 'ready', addresses: gateway.addresses });
        break;
      }
      case 'memory':
        fullGc();
        send({ type: 'memory', usage: process.memoryUsage() });
        break;
      case 'cpu': {
        const u = process.cpuUsage();
        send({ type: 'cpu', micros: u.user + u.system });
        break;
      }
      case 'stop':
        await gateway?.stop(2000);
        process.exit(0);
    }
  })().catch((e: unknown) => {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
