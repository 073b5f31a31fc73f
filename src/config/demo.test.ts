import { describe, expect, it } from 'vitest';
import { adapterDefinitions } from '../../adapters/index.js';
import { ConfigError } from '../errors.js';
import { adapterChecks } from './adapter-config.js';
import {
  DEFAULT_DEMO_PORTS,
  DEMO_PORT_KEYS,
  demoConfigInput,
  demoPortHint,
  demoPorts,
  demoWelcome,
} from './demo.js';
import { checkConfig } from './load.js';

const check = (ports = DEFAULT_DEMO_PORTS) =>
  checkConfig(demoConfigInput(ports), 'demo', { env: {}, adapterTypes: adapterChecks(adapterDefinitions) });

describe('the demo configuration', () => {
  it('passes the schema and every adapter check, on the documented ports', () => {
    const c = check();
    expect([c.hub.imtp.port, c.hub.pitp.port]).toEqual([7410, 7411]);
    expect(c.adapters.map((a) => [a.type, a.id])).toEqual([
      ['websocket', 'web'],
      ['email', 'mail'],
    ]);
    const welcome = demoWelcome(c);
    expect(welcome).toContain('http://127.0.0.1:8080/');
    expect(welcome).toContain('SMTP 127.0.0.1:2525');
    expect(welcome).toContain('IMTP 127.0.0.1:7410, PITP 127.0.0.1:7411');
    expect(welcome).toContain('http://127.0.0.1:9464/health');
  });

  it('binds nothing but 127.0.0.1, whatever the ports', () => {
    const text = JSON.stringify(demoConfigInput({ imtp: 1, pitp: 2, http: 3, smtp: 4, ops: 5, files: 6 }));
    const hosts = [...text.matchAll(/"host":"([^"]+)"/g)].map((m) => m[1]);
    expect(hosts).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  it('names the key of each port as the gateway reports it in a ListenError', () => {
    const c = check({
      imtp: 1001,
      pitp: 1002,
      http: 1003,
      smtp: 1004,
      ops: 1005,
      files: 1006,
    }) as unknown as Record<string, unknown>;
    const at = (key: string) =>
      key
        .replace(/\[(\d+)\]/g, '.$1')
        .split('.')
        .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);
    expect(Object.values(DEMO_PORT_KEYS).map(at)).toEqual([1001, 1002, 1003, 1004, 1005, 1006]);
    expect(demoPortHint('adapters[1].inbound.port')).toContain('CPIM_DEMO_PORTS=smtp=PORT');
  });
});

describe('CPIM_DEMO_PORTS', () => {
  it('moves any subset of the ports', () => {
    expect(demoPorts({})).toEqual(DEFAULT_DEMO_PORTS);
    expect(demoPorts({ CPIM_DEMO_PORTS: ' http = 18080 , smtp=12525' })).toEqual({
      ...DEFAULT_DEMO_PORTS,
      http: 18080,
      smtp: 12525,
    });
  });

  it('refuses anything else, naming each bad entry', () => {
    for (const bad of ['http=0', 'http=65536', 'irc=6667', 'http', 'http=80x', 'http=80,,smtp=25']) {
      expect(() => demoPorts({ CPIM_DEMO_PORTS: bad }), bad).toThrow(ConfigError);
    }
    expect(() => demoPorts({ CPIM_DEMO_PORTS: 'web=1,imtp=-1' })).toThrow(/"web=1"[\s\S]*"imtp=-1"/);
  });
});
