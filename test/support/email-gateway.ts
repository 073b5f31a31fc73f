/** Shared setup for the email adapter's integration tests: a gateway with the adapter and a listener. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailAdapterDefinition, type EmailAdapter } from '../../adapters/email/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { parseCpim } from '../../src/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { stubResolver } from './email.js';
import { stopAfterEach } from './stop-after.js';

export const MAIL = 'mail.gw.test';

export interface EmailGateway {
  readonly gw: TestGateway;
  readonly adapter: EmailAdapter;
  readonly smtpPort: number;
  readonly outDir: string;
  /** Commands delivered to bob's listening connection. */
  readonly bobGot: CommandFrame[];
  stop(): Promise<void>;
}

export { h } from './hub-calls.js';

/** The text and semantics of a Message/CPIM payload as bob's client received it. */
export function cpimOf(c: CommandFrame) {
  const r = parseCpim(c.payload!, { startsWith: 'cpim-headers', mode: 'lenient' });
  if (r.result === 'reject') throw new Error(`bad CPIM: ${r.reason}`);
  const ext = (name: string) => r.message.semantics.extensionHeaders.find((x) => x.name === name)?.value;
  const contentType = r.message.contentHeaders.find((x) => x.name.toLowerCase() === 'content-type')?.value;
  return { message: r.message, body: Buffer.from(r.message.body).toString('utf8'), ext, contentType };
}

export async function startEmailGateway(
  email: Record<string, unknown> = {},
  opts: {
    dns?: Record<string, string[]>;
    rooms?: unknown[];
    bobListens?: boolean;
    /** The gateway's own domains (default: gw.test alone). */
    domains?: string[];
    /** The `storage:` section (default: test/support/gateway.ts's, SQLite in memory). */
    storage?: Record<string, unknown>;
    /** The `files:` section over a file server on a free port (issue 17, docs/files.md). */
    files?: Record<string, unknown>;
  } = {},
): Promise<EmailGateway> {
  const outDir = await mkdtemp(join(tmpdir(), 'mail-out-'));
  const def = createEmailAdapterDefinition({ resolver: stubResolver(opts.dns ?? {}) });
  const gw = await startTestGateway({
    config: {
      adapters: [
        {
          type: 'email',
          id: 'email',
          domain: MAIL,
          localDomain: 'gw.test',
          outbound: { transport: 'directory', directory: outDir },
          ...email,
          inbound: { port: 0, ...(email['inbound'] as object | undefined) },
        },
      ],
      rooms: opts.rooms ?? [],
      ...(opts.domains === undefined ? {} : { gateway: { domains: opts.domains } }),
      ...(opts.storage === undefined ? {} : { storage: opts.storage }),
      ...(opts.files === undefined
        ? {}
        : { files: { listen: { host: '127.0.0.1', port: 0 }, ...opts.files } }),
    },
    adapterDefinitions: [def as AdapterDefinition<never>],
  });
  const adapter = gw.gateway.adapters[0]!.adapter as EmailAdapter;
  const bobGot: CommandFrame[] = [];
  if (opts.bobListens !== false) {
    const bob = await gw.client('bob', 'imtp', (c) => {
      bobGot.push(c);
      return { status: 'ok', headers: [] };
    });
    const l = await bob.command('listen', [['Inbox', 'im:bob@gw.test']]);
    if (l.status !== 'ok') throw new Error('listen failed');
  }
  return {
    gw,
    adapter,
    smtpPort: adapter.smtpAddress!.port,
    outDir,
    bobGot,
    async stop() {
      await gw.stop();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** startEmailGateway, each gateway stopped after its test. */
export const useEmailGateways = () => stopAfterEach(startEmailGateway);

/** Log lines with this message. */
export function logged(gw: TestGateway, msg: string): Record<string, unknown>[] {
  return gw.logs().filter((l) => l['msg'] === msg);
}
