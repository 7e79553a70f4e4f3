// ESLint 10 flat config for every package. Type-aware rules catch floating promises (STYLE.md §5).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'packages/backend/src/migrations/*/1*.ts', 'eslint.config.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/protocol/src/**', '**/backend/src/**', '@pychat/*/src/**'],
              message: 'Import the package, not its src/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Browsers must not pull zod in for a constant: values come from @pychat/protocol/constants.
    files: ['packages/frontend/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@pychat/protocol', allowTypeImports: true, message: 'Use @pychat/protocol/constants for values.' },
          ],
        },
      ],
    },
  },
  {
    // Tests may reach into the backend they test.
    files: ['packages/backend/test/**/*.ts', 'packages/backend/src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
