/** The `peers:` and `federation:` configuration sections (src/config/schema.ts, load.ts). */
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';

function problems(raw: unknown): string[] {
  try {
    checkConfig(raw, 'test', { env: { PW: 'from-env' } });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const peer = {
  domains: ['b.example'],
  host: 'hub.b.example',
  sasl: { mechanism: 'PLAIN', user: 'a', password: '${PW}' },
};

describe('peers and federation configuration', () => {
  it('takes a static peer, fills defaults and substitutes ${VAR}', () => {
    const c = checkConfig({ peers: [peer] }, 'test', { env: { PW: 'from-env' } });
    expect(c.peers[0]).toMatchObject({ domains: ['b.example'], ports: {}, sasl: { password: 'from-env' } });
    expect(c.federation).toMatchObject({
      ports: { imtp: 7410, pitp: 7411 },
      dns: { enabled: false, servers: [], maxTargets: 4 },
      reconnect: { initialDelayMs: 250, maxDelayMs: 30000 },
      idleCloseMs: 300000,
    });
  });

  it('reports every problem at once, with its path', () => {
    const got = problems({
      gateway: { domains: ['a.example'] },
      peers: [
        { ...peer, domains: ['a.example'] },
        { ...peer, sasl: { mechanism: 'EXTERNAL' }, tls: { cert: 'c.pem' }, colour: 'red' },
      ],
      federation: { dns: { enabled: true, servers: ['not a server'] } },
    });
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^peers\[1\]: unknown key\(s\): colour/),
        expect.stringMatching(/^peers\[1\]\.tls: `cert` and `key` go together/),
        expect.stringMatching(/^federation\.dns\.servers\[0\]: not host\[:port\]/),
        expect.stringMatching(/^federation\.dns\.sasl: discovered peers need `sasl`/),
      ]),
    );
  });

  it('refuses EXTERNAL without a client certificate and a domain routed twice', () => {
    expect(problems({ peers: [{ ...peer, sasl: { mechanism: 'EXTERNAL' } }] })).toEqual([
      'peers[0].sasl: SASL EXTERNAL needs a client certificate (`tls.cert` and `tls.key`)',
    ]);
    expect(problems({ gateway: { domains: ['b.example'] }, peers: [peer, peer] })).toEqual([
      'peers[0].domains[0]: b.example is already routed by gateway.domains',
      'peers[1].domains[0]: b.example is already routed by gateway.domains',
    ]);
  });
});
