/**
 * A gateway with the email adapter in its own process, for bench/mail.ts, which measures this
 * process's event-loop delay (perf_hooks monitorEventLoopDelay) while it receives mail. IPC:
 *   parent → { type: 'start', config }        child → { type: 'ready', smtpPort }
 *   parent → { type: 'eld-reset' }            child → { type: 'eld-reset' } (histogram cleared)
 *   parent → { type: 'eld' }                  child → { type: 'eld', p50, p99, max, count } (ms)
 *   parent → { type: 'stop' }                 child stops the gateway and exits 0
 * DNS for SPF/DKIM/DMARC is a stub that knows no record (as test/support/email.ts does): the
 * benchmark measures CPU, not name servers. Log lines at `warn` and above go to stderr.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEmailAdapterDefinition, type EmailAdapter } from '../../adapters/email/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { adapterChecks } from '../../src/config/adapter-config.js';
import { checkConfig } from '../../src/config/load.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createRootLogger } from '../../src/log.js';

type Message =
  | { type: 'start'; config: Record<string, unknown> }
  | { type: 'eld-reset' }
  | { type: 'eld' }
  | { type: 'stop' };

const noRecord = async (name: string, rrtype: string): Promise<string[][]> => {
  throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
};

// 1 ms resolution: a stall of the loop shows as one long sample.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let gateway: Gateway | null = null;

const send = (m: unknown): void => void process.send?.(m);
const ms = (ns: number): number => ns / 1e6;

process.on('message', (m: Message) => {
  void (async () => {
    switch (m.type) {
      case 'start': {
        const def = createEmailAdapterDefinition({ resolver: noRecord }) as AdapterDefinition<never>;
        const config = checkConfig(m.config, 'bench', { env: {}, adapterTypes: adapterChecks([def]) });
        const log = createRootLogger({ level: config.log.level, destination: process.stderr });
        gateway = createGateway(config, { log, adapterDefinitions: [def] });
        await gateway.start();
        const adapter = gateway.adapters[0]!.adapter as EmailAdapter;
        send({ type: 'ready', smtpPort: adapter.smtpAddress!.port });
        break;
      }
      case 'eld-reset':
        delay.reset();
        send({ type: 'eld-reset' });
        break;
      case 'eld':
        send({
          type: 'eld',
          p50: ms(delay.percentile(50)),
          p99: ms(delay.percentile(99)),
          max: ms(delay.max),
          count: delay.count,
        });
        break;
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
