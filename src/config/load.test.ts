import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { adapterDefinitions } from '../../adapters/index.js';
import { adapterChecks } from './adapter-config.js';
import { checkConfig, defaultConfig, parseConfigText } from './load.js';

function problems(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('fills every default from an empty file', () => {
    const c = parseConfigText('', 'empty.yaml');
    expect(c.gateway.domains).toEqual(['localhost']);
    expect(c.hub.imtp).toEqual({ enabled: true, host: '127.0.0.1', port: 7410 });
    expect(c.hub.pitp.port).toBe(7411);
    expect(c.hub.limits.maxIdLength).toBe(64);
    expect(c.hub.sasl.allowAnonymous).toBe(false);
    expect(c.hub.sasl.allowPlainWithoutTls).toBe(false);
    expect(c.adapters).toEqual([]);
    expect(defaultConfig()).toEqual(c);
  });

  it('accepts the default file at the repository root', () => {
    const text = readFileSync(new URL('../../gateway.config.yaml', import.meta.url), 'utf8');
    const c = parseConfigText(text, 'gateway.config.yaml', {
      env: {},
      adapterTypes: adapterChecks(adapterDefinitions),
    });
    expect(c.hub.accounts.map((a) => a.user)).toEqual(['alice', 'bob']);
    expect(c.adapters.map((a) => a.type)).toEqual(['websocket', 'email']);
    expect(c.hub.accounts[0]?.password).toBe('alice');
    expect(c.hub.imtp.host).toBe('127.0.0.1');
  });

  it('reports every problem at once, each with its path', () => {
    const issues = problems(() =>
      parseConfigText(
        [
          'gateway: { domains: ["bad domain!"] }',
          'log: { level: loud }',
          'hub:',
          '  imtp: { port: 70000, colour: red }',
          '  limits: { maxIdLength: -1 }',
          'extra: 1',
        ].join('\n'),
        't.yaml',
      ),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'gateway.domains[0]',
        'log.level',
        'hub.imtp.port',
        'hub.imtp',
        'hub.limits.maxIdLength',
        '',
      ]),
    );
    expect(issues.find((i) => i.path === 'hub.imtp')?.message).toMatch(/unknown key\(s\): colour/);
    expect(issues.find((i) => i.path === '')?.message).toMatch(/extra/);
    expect(issues.length).toBeGreaterThanOrEqual(6);
  });

  it('reports YAML syntax errors with line and column', () => {
    const issues = problems(() => parseConfigText('gateway:\n  domains: [a\n', 'bad.yaml'));
    expect(issues[0]?.path).toMatch(/^line \d+, column \d+$/);
  });

  it('rejects duplicate keys', () => {
    expect(
      problems(() => parseConfigText('log: {level: info}\nlog: {level: warn}\n', 'dup.yaml')).length,
    ).toBe(1);
  });

  it('substitutes ${VAR} in values, with fallbacks and escapes, never in structure', () => {
    const c = parseConfigText(
      'gateway: { domains: ["${DOM}"] }\nhub: { accounts: [{ user: u, password: "${PW:-dflt}", identities: ["im:$${x}@a"] }] }\n',
      'env.yaml',
      { env: { DOM: 'Example.ORG' } },
    );
    expect(c.gateway.domains).toEqual(['example.org']);
    expect(c.hub.accounts[0]?.password).toBe('dflt');
    expect(c.hub.accounts[0]?.identities).toEqual(['im:${x}@a']);
    // A variable's text stays one value: the newline and "extra:" do not become a key.
    const issues = problems(() =>
      parseConfigText('log: { level: "${L}" }\n', 'x.yaml', { env: { L: 'info\nextra: 1' } }),
    );
    expect(issues.map((i) => i.path)).toEqual(['log.level']);
  });

  it('names a missing environment variable with its path', () => {
    const issues = problems(() =>
      parseConfigText(
        'hub: { accounts: [{ user: u, password: "${NOPE}", identities: [im:u@a] }] }',
        'm.yaml',
        { env: {} },
      ),
    );
    expect(issues).toContainEqual({
      path: 'hub.accounts[0].password',
      message: 'environment variable NOPE is not set',
    });
  });

  it('rejects adapters of unknown types and lets known types check their section', () => {
    const issues = problems(() => checkConfig({ adapters: [{ type: 'irc' }] }, 'a', { env: {} }));
    expect(issues[0]).toEqual({
      path: 'adapters[0].type',
      message: 'unknown adapter type "irc" (known: none yet)',
    });
    const types = new Map([
      [
        'demo',
        (raw: unknown) => ((raw as { port?: unknown }).port ? [] : [{ path: 'port', message: 'required' }]),
      ],
    ]);
    expect(
      problems(() => checkConfig({ adapters: [{ type: 'demo' }] }, 'a', { env: {}, adapterTypes: types })),
    ).toEqual([{ path: 'adapters[0].port', message: 'required' }]);
    expect(
      problems(() =>
        checkConfig(
          {
            adapters: [
              { type: 'demo', port: 1 },
              { type: 'demo', port: 2 },
            ],
          },
          'a',
          { env: {}, adapterTypes: types },
        ),
      ),
    ).toEqual([{ path: 'adapters[1].id', message: 'adapter id "demo" is used twice' }]);
  });

  it('freezes the result', () => {
    const c = defaultConfig();
    expect(Object.isFrozen(c.hub.limits)).toBe(true);
    expect(() => {
      (c.gateway.domains as string[]).push('x');
    }).toThrow();
  });
});
