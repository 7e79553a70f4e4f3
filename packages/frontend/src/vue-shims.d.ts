import type { Store } from 'vuex';
import type { RootState } from './store/types';

declare module 'vue' {
  interface ComponentCustomProperties {
    $store: Store<RootState>;
  }
}
