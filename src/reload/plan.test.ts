import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/load.js';
import { planReload } from './plan.js';

const known = new Map([['websocket', () => []]]);
const cfg = (raw: Record<string, unknown>) => checkConfig(raw, 'test', { env: {}, adapterTypes: known });
const acct = (user: string) => ({ user, password: user, identities: [`im:${user}@localhost`] });

describe('planReload', () => {
  it('finds nothing to do between equal configurations', () => {
    const p = planReload(cfg({}), cfg({}));
    expect(p.empty).toBe(true);
    expect(p.refused).toEqual([]);
  });

  it('names each kind of in-place change', () => {
    const p = planReload(
      cfg({ hub: { accounts: [acct('a')] } }),
      cfg({
        hub: { accounts: [acct('a'), acct('b')], limits: { maxConnections: 5 } },
        log: { level: 'debug' },
        limits: { perSender: { burst: 3 }, connectionsPerAddress: 2 },
      }),
    );
    expect(p).toMatchObject({
      refused: [],
      accounts: true,
      hubLimits: true,
      logLevel: true,
      perSender: true,
      otherLimits: true,
      rooms: false,
      peers: false,
      sasl: false,
      authFailures: false,
      empty: false,
    });
  });

  it('refuses keys bound to the running process, one problem each', () => {
    const p = planReload(
      cfg({}),
      cfg({
        gateway: { domains: ['example.org'] },
        hub: { pitp: { port: 1 } },
        federation: { idleCloseMs: 5 },
        limits: { warnIntervalMs: 1 },
        admin: { enabled: false },
      }),
    );
    expect(p.refused.map((r) => r.path)).toEqual([
      'gateway.domains',
      'hub.pitp',
      'federation',
      'limits.warnIntervalMs',
      'admin',
    ]);
    expect(p.refused[0]!.message).toContain('cannot change while the gateway runs');
  });

  it('refuses a changed section it does not know, rather than ignore it', () => {
    const old = cfg({});
    const next = { ...old, ops: { port: 9 } } as typeof old;
    expect(planReload(old, next).refused).toEqual([
      { path: 'ops', message: expect.stringContaining('cannot change while the gateway runs') },
    ]);
  });

  it('compares adapters by id: added, removed, changed, unchanged', () => {
    const web = (id: string, port: number) => ({ type: 'websocket', id, http: { port } });
    const p = planReload(
      cfg({ adapters: [web('a', 1), web('b', 2), web('c', 3)] }),
      cfg({ adapters: [web('a', 1), web('b', 9), web('d', 4)] }),
    );
    expect(p.adapters).toEqual({ added: ['d'], removed: ['c'], changed: ['b'] });
  });
});
