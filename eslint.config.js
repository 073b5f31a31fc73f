// Lint rules: the recommended sets of ESLint and typescript-eslint, plus the dependency
// direction of docs/architecture.md part 4 (codecs, the model and the protocol vocabulary do no I/O;
// adapters never import each other or router internals).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noIo = ['node:net', 'node:tls', 'node:fs', 'node:fs/promises', 'node:dgram', 'pino', 'node:timers'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'test-results/**', 'bench/results/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/model/**/*.ts', 'src/codec/**/*.ts', 'src/mime/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: noIo.map((name) => ({ name, message: 'codecs, the MIME reader and the model do no I/O' })) },
      ],
    },
  },
  {
    // docs/architecture.md part 4: src/protocol is the one IMTP/PITP vocabulary; it does no I/O
    // and depends only on src/model and src/errors.
    files: ['src/protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noIo.map((name) => ({ name, message: 'the protocol vocabulary does no I/O' })),
          patterns: [
            {
              group: ['../*', '!../model', '!../model/**', '!../errors.js', '../../**'],
              message: 'src/protocol imports only src/model and src/errors',
            },
          ],
        },
      ],
    },
  },
  {
    // docs/architecture.md part 8: the policy primitives decide; they open no sockets or files.
    files: ['src/policy/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: noIo.map((name) => ({ name, message: 'policy primitives do no I/O' })) },
      ],
    },
  },
  {
    files: ['src/hub/**/*.ts'],
    ignores: [
      'src/hub/server.ts',
      'src/hub/client.ts',
      'src/hub/connection.ts',
      'src/hub/connection-types.ts',
      'src/hub/tls.ts',
      'src/hub/accounts.ts',
      '**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: noIo.map((name) => ({ name, message: 'framing and sessions do no I/O' })) },
      ],
    },
  },
  {
    files: ['adapters/**/*.ts'],
    ignores: ['adapters/index.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/router/**', '**/src/hub/**', '../irc/**', '../email/**', '../websocket/**'],
              message: 'adapters depend on src/index.ts only',
            },
          ],
        },
      ],
    },
  },
);
