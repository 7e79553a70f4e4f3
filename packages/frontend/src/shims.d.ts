declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
declare module '*.scss';
declare module '*.css';
// vuex 4.1's package.json `exports` has no `types`, so bundler resolution cannot find them.
declare module 'vuex' {
  export * from 'vuex/types/index.d.ts';
}
declare const __APP_VERSION__: string;
