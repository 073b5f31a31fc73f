/**
 * The demo (issue 14, "Defaults that serve"): what `cpim-gateway start` runs when there is no
 * configuration file anywhere (no `--config`, no ./gateway.config.yaml). Everything a newcomer
 * can try on this machine: the hub (IMTP 7410, PITP 7411), the web chat page on 8080, SMTP in on
 * 2525 and outbound mail written as .eml files under ./var/mail-out, with two demo users whose
 * credentials are published here. Every listener is bound to 127.0.0.1 and nothing can change
 * that: the demo is never for a network (`cpim-gateway init` writes a real starting config).
 *
 * Only the ports can move, through CPIM_DEMO_PORTS (`imtp=N,pitp=N,http=N,smtp=N,ops=N,files=N`, any subset):
 * for a machine where one of them is taken, and for tests, which run beside other gateways and
 * bind free ports only (test/support/README.md).
 */
import { ConfigError } from '../errors.js';
import type { GatewayConfig } from './schema.js';

export const DEMO_SOURCE = '(demo: no configuration file)';
export const DEMO_PORTS_VARIABLE = 'CPIM_DEMO_PORTS';

/** The demo users: hub PLAIN login and web token, both published (README, "Quick start"). */
export const DEMO_USERS = [
  { user: 'alice', password: 'alice', token: 'alice-demo-token-change-me' },
  { user: 'bob', password: 'bob', token: 'bob-demo-token-change-me' },
] as const;

export interface DemoPorts {
  readonly imtp: number;
  readonly pitp: number;
  readonly http: number;
  readonly smtp: number;
  /** The operations endpoints (/health, /ready, /metrics). */
  readonly ops: number;
  /** The file server's links (issue 17, docs/files.md). */
  readonly files: number;
}

export const DEFAULT_DEMO_PORTS: DemoPorts = {
  imtp: 7410,
  pitp: 7411,
  http: 8080,
  smtp: 2525,
  ops: 9464,
  files: 8090,
};

/** Where each port goes in the configuration (named in a ListenError). */
export const DEMO_PORT_KEYS: Readonly<Record<keyof DemoPorts, string>> = {
  imtp: 'hub.imtp.port',
  pitp: 'hub.pitp.port',
  http: 'adapters[0].http.port',
  smtp: 'adapters[1].inbound.port',
  ops: 'ops.port',
  files: 'files.listen.port',
};

/** What to do when the demo cannot listen on the port of `key`: move that port. */
export function demoPortHint(key: string): string {
  const name = Object.entries(DEMO_PORT_KEYS).find(([, k]) => k === key)?.[0] ?? 'http';
  return `; move the demo's port with ${DEMO_PORTS_VARIABLE}=${name}=PORT, or write a configuration with \`cpim-gateway init\``;
}

/** The ports: the defaults, with CPIM_DEMO_PORTS' entries in their place. */
export function demoPorts(env: Readonly<Record<string, string | undefined>>): DemoPorts {
  const text = env[DEMO_PORTS_VARIABLE];
  if (text === undefined || text.trim() === '') return DEFAULT_DEMO_PORTS;
  const ports: Record<string, number> = { ...DEFAULT_DEMO_PORTS };
  const issues: { path: string; message: string }[] = [];
  for (const item of text.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\d{1,5})\s*$/.exec(item);
    const port = Number(m?.[2]);
    if (m === null || !(m[1]! in DEFAULT_DEMO_PORTS) || port < 1 || port > 65535)
      issues.push({
        path: DEMO_PORTS_VARIABLE,
        message: `"${item.trim()}" is not NAME=PORT with NAME one of imtp, pitp, http, smtp, ops, files and PORT 1-65535`,
      });
    else ports[m[1]!] = port;
  }
  if (issues.length > 0) throw new ConfigError(`environment variable ${DEMO_PORTS_VARIABLE}`, issues);
  return ports as unknown as DemoPorts;
}

/** The demo as configuration text would give it, before the schema fills in the defaults. */
export function demoConfigInput(ports: DemoPorts): Record<string, unknown> {
  const at = (port: number) => ({ host: '127.0.0.1', port });
  return {
    gateway: { domains: ['localhost'] },
    ops: at(ports.ops),
    files: { listen: at(ports.files) },
    hub: {
      imtp: at(ports.imtp),
      pitp: at(ports.pitp),
      // PLAIN without TLS, which the defaults refuse: allowed because every listener is loopback.
      sasl: { allowPlainWithoutTls: true },
      accounts: DEMO_USERS.map((u) => ({
        user: u.user,
        password: u.password,
        identities: [`im:${u.user}@localhost`, `pres:${u.user}@localhost`],
      })),
    },
    rooms: [
      {
        name: 'lobby',
        address: 'im:lobby@localhost',
        members: ['im:room.lobby@web.localhost', 'im:alice@localhost', 'im:bob@localhost'],
        open: true,
      },
    ],
    adapters: [
      {
        type: 'websocket',
        id: 'web',
        domain: 'web.localhost',
        http: at(ports.http),
        auth: { tokens: DEMO_USERS.map((u) => ({ user: u.user, token: u.token })) },
        rooms: [{ name: 'lobby', address: 'im:lobby@localhost', title: 'Lobby' }],
      },
      {
        type: 'email',
        id: 'mail',
        domain: 'mail.localhost',
        localDomain: 'localhost',
        inbound: at(ports.smtp),
        // Mail reaches the demo only from this machine: SPF/DKIM/DMARC would look up DNS for
        // every test mail and prove nothing about it.
        senderAuth: { enabled: false },
        outbound: { transport: 'directory', directory: './var/mail-out' },
      },
    ],
  };
}

/** Lines for stderr before the demo starts: it must not be mistaken for a deployment. */
export function demoBanner(): string {
  const line = '!'.repeat(78);
  return [
    line,
    '!! DEMO MODE: no configuration file (--config FILE, or ./gateway.config.yaml).',
    '!! The demo users alice and bob have PUBLISHED passwords and tokens: for trying',
    '!! the gateway on this machine only (every listener is on 127.0.0.1), never for a',
    '!! network. Write a real configuration with `cpim-gateway init`.',
    line,
    '',
  ].join('\n');
}

/** Lines for stdout once the demo listens: where to go and how to sign in. */
export function demoWelcome(config: GatewayConfig): string {
  const ports = {
    imtp: config.hub.imtp.port,
    pitp: config.hub.pitp.port,
    http: portOf(config.adapters[0], 'http'),
    smtp: portOf(config.adapters[1], 'inbound'),
    ops: config.ops.port,
  };
  const [alice, bob] = DEMO_USERS;
  return [
    'The demo is running (loopback only; Ctrl-C stops it):',
    `  web chat  http://127.0.0.1:${ports.http}/`,
    `            sign in with the token ${alice.token}`,
    `            (bob: ${bob.token}), then open Lobby`,
    `  hub       IMTP 127.0.0.1:${ports.imtp}, PITP 127.0.0.1:${ports.pitp};` +
      ` SASL PLAIN ${alice.user}/${alice.password}, ${bob.user}/${bob.password}`,
    `  mail in   SMTP 127.0.0.1:${ports.smtp}: mail to alice=web.localhost@mail.localhost reaches web alice,`,
    '            to alice@mail.localhost the hub user alice',
    '  mail out  a chat message to im:%22mailto=you%40example.com%22@mail.localhost',
    '            is written to ./var/mail-out/*.eml',
    `  ops       http://127.0.0.1:${ports.ops}/health, /ready, /metrics`,
    '',
  ].join('\n');
}

function portOf(entry: unknown, section: string): number | undefined {
  const s = (entry as Record<string, { port?: number } | undefined> | undefined)?.[section];
  return s?.port;
}
