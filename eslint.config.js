// Lint rules for every package. The one house rule beyond the recommended sets: core code never reads real
// time or randomness; only `src/io/` folders (drivers that own sockets and timers), core's real clock,
// tests, benchmarks and scripts may.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const bannedGlobals = ['setTimeout', 'setInterval'].map((name) => ({
  name,
  message: 'Core code takes time from an injected Clock; real timers live in src/io/.',
}));
const bannedProperties = [
  {
    object: 'Date',
    property: 'now',
    message: 'Use the injected Clock (clock.wallTime()); real time lives in src/io/.',
  },
  {
    object: 'performance',
    property: 'now',
    message: 'Use the injected Clock (clock.now()); real time lives in src/io/.',
  },
  {
    object: 'Math',
    property: 'random',
    message: 'Take a random function as a component; real randomness lives in src/io/.',
  },
];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/build/**', '**/node_modules/**', 'docs-site/**', '**/coverage/**', '**/.tap/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'No enum: use an `as const` object and a union type.' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespace: use modules.' },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    ignores: [
      '**/src/io/**',
      '**/src/**/io/**',
      'packages/core/src/clock/real-clock.ts',
      'packages/testkit/**',
      'examples/*/src/**',
    ],
    rules: {
      'no-restricted-globals': ['error', ...bannedGlobals],
      'no-restricted-properties': ['error', ...bannedProperties],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
