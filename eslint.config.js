// @ts-check
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The pure core: decisions from data, no I/O. See the `pure core` block below. */
const PURE = [
  'src/policy/**',
  'src/pins/**',
  'src/history/**',
  'src/holds/**',
  'src/reconcile/phase.ts',
  'src/reconcile/decide.ts',
  'src/alerts/**',
  'src/chart/**',
  'src/doctor/*-check*.ts',
  'src/doctor/checks.ts',
  'src/doctor/readiness.ts',
  'src/records/decision.ts',
  'src/gate/diff.ts',
  'src/gate/earlier.ts',
  'src/gate/report.ts',
  'src/gate/retry.ts',
];

/** Adapters (relative imports of these folders, or of src/action.ts) the pure core must not use. */
const ADAPTERS = 'metrics|gitops|github|incident|notify|action|commands';

/** Node modules that do I/O, with and without the `node:` prefix, and undici. */
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https'].flatMap((m) => [
  m,
  `node:${m}`,
]);

const PURE_MESSAGE =
  'src/policy, pins, history, holds, alerts, chart, doctor, records/decision.ts and reconcile/{phase,decide}.ts are pure: no adapters (metrics, gitops, ' +
  'github, incident, notify, action, commands) and no I/O modules, not even `import type`. ' +
  'Take the data as an argument, or move the type into the pure folder.';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'schema/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-control-regex': 'off',
    },
  },
  {
    // Type-aware rules. Every .ts file is in tsconfig.json (src, test, bench, scripts, vitest.config.ts);
    // the few plain JS files (eslint.config.js, the .mjs scripts) are not type-checked, so they get none.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: dirname(fileURLToPath(import.meta.url)) },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The pure core.
    files: PURE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...IO_MODULES, 'undici'].map((name) => ({ name, message: PURE_MESSAGE })),
          patterns: [
            { regex: `^(\\.\\./)+(${ADAPTERS})(/|\\.js$|$)`, message: PURE_MESSAGE },
            { regex: '^undici/', message: PURE_MESSAGE },
          ],
        },
      ],
      // A dynamic import() would slip past the rule above; the pure core has no use for one.
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: `No import() in the pure core. ${PURE_MESSAGE}` },
      ],
    },
  },
);
