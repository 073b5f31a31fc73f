// Fuzzing the configuration loader (docs/architecture.md part 9; issue 13 "Fuzzing in CI"):
// arbitrary YAML text, mutations of the shipped gateway.config.yaml, YAML-hostile documents
// (alias bombs, deep nesting, tags, merge keys, `__proto__`), and arbitrary parsed values. The
// property: a frozen config or a ConfigError listing paths and plain messages (no stack), never
// another exception.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapterDefinitions } from '../../adapters/index.js';
import { ConfigError } from '../errors.js';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../test/support/fuzz.js';
import { adapterChecks } from './adapter-config.js';
import { checkConfig, parseConfigText, type LoadOptions } from './load.js';

const SHIPPED = readFileSync(new URL('../../gateway.config.yaml', import.meta.url));
const OPTIONS: LoadOptions = { env: { SECRET: 's3cret' }, adapterTypes: adapterChecks(adapterDefinitions) };
const YAML_TOKENS = [
  'gateway:\n',
  'hub:\n',
  '  limits:\n',
  '    maxLineLength: ',
  'adapters:\n',
  '  - type: websocket\n',
  '  - type: email\n',
  'peers: []\n',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '!!set ',
  '!!js/function ',
  '__proto__:',
  'constructor:',
  '? ',
  ': ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  '"${SECRET}"',
  '${NOPE}',
  '$${X}',
  '|\n',
  '>-\n',
  '%YAML 1.2\n---\n',
  '...\n',
  '\t',
  '  ',
  '\n',
  '#',
  '1e999',
  '0x7fffffffffffffffff',
  '.nan',
  '~',
];

function check(text: string): void {
  let config: unknown;
  try {
    config = parseConfigText(text, 'fuzz.yaml', OPTIONS);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    expect(err.issues.length).toBeGreaterThan(0);
    for (const i of err.issues) {
      expect(typeof i.path).toBe('string');
      expect(typeof i.message).toBe('string');
    }
    // What the operator reads: the file's name and each problem, never a stack trace.
    expect(err.message.startsWith('fuzz.yaml: ')).toBe(true);
    expect(err.message).not.toMatch(/\n\s+at .+:\d+:\d+/);
    return;
  }
  expect(Object.isFrozen(config)).toBe(true);
}

describe('configuration loader fuzz', () => {
  it(
    'mutations of the shipped file and YAML token soup: a config or a ConfigError',
    () => {
      fuzz(
        fc.property(fc.oneof(mutatedFrom([SHIPPED], 6), tokenSoup(YAML_TOKENS, 60)), (bytes) =>
          check(bytes.toString('utf8')),
        ),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'arbitrary text: a config or a ConfigError',
    () => {
      fuzz(fc.property(fc.string({ maxLength: 200 }), check), 0.5);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'alias bombs and deep nesting: a ConfigError, never expanded',
    () => {
      const bomb = fc
        .tuple(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 2, max: 12 }))
        .map(([levels, fan]) => {
          const lines = ['a0: &a0 [x, x, x]'];
          for (let i = 1; i < levels; i++)
            lines.push(
              `a${i}: &a${i} [${Array<string>(fan)
                .fill(`*a${i - 1}`)
                .join(', ')}]`,
            );
          return lines.join('\n') + '\n';
        });
      const deep = fc
        .tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('[', '{a: ', '- '))
        .map(([n, open]) => (open === '- ' ? open.repeat(n) + 'x' : open.repeat(n)));
      fuzz(fc.property(fc.oneof(bomb, deep), check), 0.2);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'arbitrary parsed values: a config or a ConfigError',
    () => {
      const key = fc.oneof(
        fc.constantFrom('gateway', 'hub', 'limits', 'adapters', 'peers', '__proto__', 'constructor', 'type'),
        fc.string({ maxLength: 8 }),
      );
      const value = fc.letrec<{ v: unknown }>((tie) => ({
        v: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.jsonValue({ maxDepth: 1 }),
          fc.array(tie('v'), { maxLength: 3 }),
          fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((entries) => {
            const o: Record<string, unknown> = {};
            for (const [k, v] of entries)
              Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
            return o;
          }),
        ),
      })).v;
      fuzz(
        fc.property(value, (raw) => {
          try {
            expect(Object.isFrozen(checkConfig(raw, 'fuzz.yaml', OPTIONS))).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
          }
        }),
      );
    },
    FUZZ_TIMEOUT,
  );

  // Regressions found by this file (minimal counterexamples).
  it('an alias bomb is a ConfigError naming the file, not a ReferenceError', () => {
    const text =
      'a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [' +
      Array(11).fill('*b').join(', ') +
      ']\n';
    expect(() => parseConfigText(text, 'bomb.yaml', OPTIONS)).toThrow(ConfigError);
    expect(() => parseConfigText(text, 'bomb.yaml', OPTIONS)).toThrow(/bomb\.yaml: .*\n.*alias/);
  });

  it('a `__proto__:` key is an unknown key, not the prototype of the file', () => {
    // Before: `__proto__: {gateway: 1}` lent the root a `gateway` through its prototype.
    expect(() => parseConfigText('__proto__: {gateway: 1}\n', 'p.yaml', OPTIONS)).toThrow(
      /\(root\): unknown key\(s\): __proto__/,
    );
  });
});
