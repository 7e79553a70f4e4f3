// stylelint on the .scss files and on the <style lang="scss"> blocks of the .vue files (docs/architecture.md).
const postcssHtml = require('postcss-html');

module.exports = {
  extends: ['stylelint-config-standard-scss'],
  ignoreFiles: ['**/dist/**', '**/node_modules/**'],
  rules: {
    'selector-class-pattern': [
      '^(hljs-[a-z_]+|[a-z][a-z0-9]*(-[a-z0-9]+)*)$',
      { message: "Class names are kebab-case (highlight.js's hljs-* classes excepted)" },
    ],
  },
  overrides: [
    {
      files: ['**/*.vue'],
      // SFC styles are SCSS, parsed by postcss-scss as in the .scss files. A <style lang="sass"> (indented
      // syntax, which no stylelint syntax parses) makes stylelint fail ("Cannot resolve module postcss-sass")
      // instead of being skipped: write SCSS.
      customSyntax: postcssHtml({ scss: require('postcss-scss'), sass: 'postcss-sass' }),
      rules: {
        // Vue's scoped-style pseudo-classes (:deep(.x) styles a child component's or v-html's markup).
        'selector-pseudo-class-no-unknown': [true, { ignorePseudoClasses: ['deep', 'global', 'slotted'] }],
      },
    },
  ],
};
