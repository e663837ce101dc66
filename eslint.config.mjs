// Lint rules whose main job is to keep workflow code deterministic: nothing under workflows/
// may import Node built-ins, I/O libraries or activity implementations (types only), and no
// promise may float anywhere (a forgotten await in a workflow is a silent ordering bug).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tools/**',
      'data/**',
      'outbox/**',
      'client/bin.js',
      'bench/RESULTS.md',
      'test-results/**',
      // The dashboard as built (client/dashboard is its source).
      'client/http/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Workflow state filled after the first await is read by handlers declared above it.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code must be deterministic: no Node built-ins (do I/O in an activity).',
            })),
            ...[
              'pdfkit',
              'nodemailer',
              'handlebars',
              'exceljs',
              'chinese-days',
              'yaml',
              '@temporalio/client',
              '@temporalio/worker',
              '@temporalio/activity',
            ].map((name) => ({
              name,
              message: 'Workflow code must not use I/O libraries or non-workflow SDK packages; call an activity.',
            })),
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '../activities*'],
              allowTypeImports: true,
              message: 'Workflows import only activity types (`import type`), never implementations.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'process', message: 'Workflows cannot read the environment; pass it in the input.' },
      ],
    },
  },
  {
    // Layering: client/ (CLI, HTTP API, `npm start`) may import worker/ (the demo and `npm start`
    // run a worker in-process), never the reverse; config/ is shared by both and imports neither.
    files: ['worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+client(/|$)',
              message:
                'worker/ must not import client/: put what both need in config/ (client → worker is the one allowed direction).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+client(/|$)',
              message: 'config/ is shared by client/ and worker/ and imports neither.',
            },
            {
              regex: '^(\\.\\./)+worker(/|$)',
              message: 'config/ is shared by client/ and worker/ and imports neither.',
            },
            {
              regex: '^(\\.\\./)+activities(/|$)',
              message:
                'config/ sits below activities/ (activities read config/env): what both need goes in config/, the plan loader is client/plan.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Update and Query handlers change state and return; the workflow's main script does the I/O
    // (issue: a caller must never wait on SMTP). onUpdate's types keep `apply` synchronous; this
    // keeps anyone from writing an async helper in a handlers file.
    files: ['workflows/**/handlers.ts', 'workflows/**/*-handlers.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'AwaitExpression',
          message: 'Handlers change state only: the phase script notices the change and does the I/O.',
        },
        {
          selector: ':function[async=true]',
          message: 'Handlers change state only: no async functions in a handlers module.',
        },
      ],
    },
  },
  {
    // Modules without import circles (issue 23): a circle means two modules are one concept split
    // badly, or a shared base is missing. `import type` is not followed (no-cycle's rule); the
    // test/import-circles.test.ts finds type-only circles too. The product never imports
    // scripts/ (set-up and tooling): scripts import from it. Tests and benchmarks may use set-up.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: ['./workflows', './activities', './config', './client', './worker'],
              from: './scripts',
              message: 'Nothing imports scripts/ (set-up and tooling): move what is shared into worker/ or config/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
