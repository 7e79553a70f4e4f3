// ESLint 10 flat config for every package (ESLint 9+ no longer reads .eslintrc.*: docs/architecture.md).
// Type-aware rules catch floating promises (STYLE.md §5); the layering rules below enforce the import
// directions of docs/architecture.md "Lint-enforced rules"; eslint.config.spec.mjs proves they fire.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const vue = require('eslint-plugin-vue');

const typeAwareRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
  '@typescript-eslint/switch-exhaustiveness-check': 'error',
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
  eqeqeq: ['error', 'always'],
  curly: ['error', 'all'],
};

// Backend layering (http/ws → services → repositories → entities). One rule, so a file that sits in two
// globs gets the union written out below: in flat config the last matching block's options win.
const backend = 'packages/backend/src';
const noTypeorm = (allowTypeImports = false) => ({
  regex: '^typeorm(/|$)',
  allowTypeImports,
  message: 'TypeORM stays in repositories/, db/, entities/ and migrations/: call a repository.',
});
const noRepositoriesOrDb = {
  regex: '^\\.{1,2}/(.*/)?(repositories|db)(/|$)',
  message: 'http/ and ws/ reach the database through a service, never a repository or db/.',
};
const noHttpOrWs = {
  regex: '^\\.{1,2}/(.*/)?(http|ws)(/|$)',
  message: 'services/ must not depend on a transport (http/, ws/): move the shared code down.',
};
const noEntities = {
  regex: '^\\.{1,2}/(.*/)?entities(/|$)',
  message: 'cli/ goes through the services, not the entities.',
};
const layers = (...patterns) => ['error', { patterns }];

// The web app writes to vuex only in services/ and store/ (one data path, issue 10 item 3).
const storeCommit = {
  // this.$store.commit in a script, $store.commit in a template.
  selector: "MemberExpression[property.name='commit']:matches([object.property.name='$store'], [object.name='$store'])",
  message: 'Views and components do not commit to the store: call a service that does.',
};

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
      ...typeAwareRules,
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
    files: ['packages/frontend/src/**/*.ts', 'packages/frontend/src/**/*.vue'],
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

  // --- Backend layering -----------------------------------------------------------------------------
  {
    files: [`${backend}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layers(noTypeorm()) },
  },
  {
    files: [`${backend}/{repositories,db,entities,migrations}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: [`${backend}/{http,ws}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layers(noTypeorm(), noRepositoriesOrDb) },
  },
  {
    files: [`${backend}/services/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layers(noTypeorm(), noHttpOrWs) },
  },
  {
    files: [`${backend}/cli/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layers(noTypeorm(), noEntities) },
  },
  {
    // Composition roots hold the DataSource that db/ built, to hand it to repositories and close it:
    // the type only, never a query.
    files: [`${backend}/app.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layers(noTypeorm(true)) },
  },
  {
    files: [`${backend}/cli/context.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layers(noTypeorm(true), noEntities) },
  },

  // --- Vue single-file components -------------------------------------------------------------------
  // flat/recommended = essential + strongly-recommended + recommended; its layout rules are off because
  // Prettier formats .vue files. The plugin does not see `export default toNative(Class)` (vue-facing-decorator)
  // as a component, so its component-options rules (props, emits, names, order) stay silent: it checks the
  // templates; vue-tsc type-checks props and emits.
  // Its rule sets come without `files`: keep them off the .ts files (the plugin stays registered for all).
  ...vue.configs['flat/recommended'].map((config) =>
    config.rules && !config.files ? { ...config, files: ['**/*.vue'] } : config,
  ),
  { files: ['**/*.vue'], rules: vue.configs['no-layout-rules'].rules },
  {
    files: ['packages/frontend/src/**/*.vue'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        projectService: true,
        tsconfigRootDir: __dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      // typescript-eslint's eslint-recommended turns these off for *.ts (TypeScript checks them); same here.
      ...tseslint.configs.eslintRecommended.rules,
      ...typeAwareRules,
    },
  },

  // --- screen_cast_extension/: plain JS, a service worker (chrome.*) and its Node build script -------
  {
    files: ['screen_cast_extension/**/*.{js,mjs}'],
    languageOptions: {
      sourceType: 'module',
      globals: { chrome: 'readonly', console: 'readonly', process: 'readonly', Buffer: 'readonly' },
    },
    rules: { eqeqeq: ['error', 'always'], curly: ['error', 'all'] },
  },

  // --- Web app: one data path -----------------------------------------------------------------------
  {
    files: ['packages/frontend/src/**/*.ts', 'packages/frontend/src/**/*.vue'],
    ignores: [
      'packages/frontend/src/services/**',
      'packages/frontend/src/store/**',
      'packages/frontend/src/**/*.spec.ts',
    ],
    rules: { 'no-restricted-syntax': ['error', storeCommit], 'vue/no-restricted-syntax': ['error', storeCommit] },
  },
);
