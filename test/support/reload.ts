/**
 * Configurations for reload tests (docs/operations-reload.md): a gateway started from a raw
 * configuration object, and the same object edited and checked as src/main.ts checks a file
 * (adapter sections by their own definitions), ready for `gateway.reload`.
 */
import type { AdapterDefinition } from '../../src/adapter.js';
import { adapterChecks } from '../../src/config/adapter-config.js';
import { checkConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { startTestGateway, type TestGateway } from './gateway.js';

export type Raw = Record<string, unknown>;

/** A client account of `domain` (password = user name). */
export function account(user: string, domain = 'gw.test', password = user): Raw {
  return { user, password, identities: [`im:${user}@${domain}`, `pres:${user}@${domain}`] };
}

/** gw.test with hub listeners on free loopback ports and the given accounts; `extra` top-level keys replace. */
export function baseConfig(accounts: readonly Raw[], extra: Raw = {}, domain = 'gw.test'): Raw {
  return {
    gateway: { domains: [domain] },
    log: { level: 'debug' },
    hub: {
      imtp: { host: '127.0.0.1', port: 0 },
      pitp: { host: '127.0.0.1', port: 0 },
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts,
    },
    // As test/support/gateway.ts starts them: the ops endpoint on a free port, never 9464.
    ops: { host: '127.0.0.1', port: 0 },
    files: { listen: { host: '127.0.0.1', port: 0 } },
    // And the same store (issue 15): `storage` cannot change in a reload.
    storage: { backend: 'sqlite', path: ':memory:' },
    ...extra,
  };
}

export function checked(raw: Raw, definitions: readonly AdapterDefinition<never>[] = []): GatewayConfig {
  return checkConfig(raw, 'reload test', { env: {}, adapterTypes: adapterChecks(definitions) });
}

export function startFrom(
  raw: Raw,
  definitions: readonly AdapterDefinition<never>[] = [],
  domain = 'gw.test',
): Promise<TestGateway> {
  return startTestGateway({
    domain,
    config: raw,
    ...(definitions.length > 0 ? { adapterDefinitions: definitions } : {}),
  });
}
