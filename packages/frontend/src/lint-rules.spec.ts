// @vitest-environment node
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The repository's own eslint.config.js on snippets: views and components must not commit to vuex
// (one data path: services/ and store/ write). Only that rule runs, without type information.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: `${root}/eslint.config.js`,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-syntax' || ruleId === 'vue/no-restricted-syntax',
});

async function errors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/packages/frontend/src/${file}` });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const view = (script: string, template = '<p>x</p>') => `<template>${template}</template>
<script lang="ts">
import { Component, Vue, toNative } from 'vue-facing-decorator';

@Component({ name: 'SomeView' })
class SomeView extends Vue {
  save(): void {
    ${script}
  }
}

export default toNative(SomeView);
</script>
`;
const commit = "this.$store.commit('notifications/push', { kind: 'success', text: 'Saved' });";
const message = 'Views and components do not commit to the store: call a service that does.';

describe('one data path in the web app (eslint.config.js)', () => {
  it.each(['views/SomeView.vue', 'components/chat/SomeThing.vue'])('rejects this.$store.commit in %s', async (file) => {
    expect(await errors(file, view(commit))).toEqual([`no-restricted-syntax: ${message}`]);
  });

  it('rejects $store.commit in a template', async () => {
    const template = `<button @click="$store.commit('rooms/setActive', null)">x</button>`;
    expect(await errors('views/SomeView.vue', view('', template))).toEqual([`vue/no-restricted-syntax: ${message}`]);
  });

  it('rejects this.$store.commit in a plain module outside services/ and store/', async () => {
    const code = `export function f(this: { $store: { commit(t: string): void } }): void {\n  this.$store.commit('x');\n}\n`;
    expect(await errors('router/guards.ts', code)).toEqual([`no-restricted-syntax: ${message}`]);
  });

  it('allows reading the store in a view, and committing in services/ and store/', async () => {
    expect(await errors('views/SomeView.vue', view('void this.$store.state.session.me;'))).toEqual([]);
    const code = `import type { AppStore } from '../store';\nexport const f = (store: AppStore) => store.commit('x');\n`;
    expect(await errors('services/some.service.ts', code)).toEqual([]);
    expect(await errors('store/modules/some.ts', code.replace("'../store'", "'..'"))).toEqual([]);
  });
});
