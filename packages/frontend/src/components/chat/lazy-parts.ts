import { defineAsyncComponent } from 'vue';

// Parts of the chat that show only on demand (a click on a picker) or for some messages (attachments, video
// links): chunks of their own, so the first chat view stays within the bundle budget
// (scripts/check-bundle-budget.mjs). The emoji set itself loads when a picker opens (utils/emoji).
export const ChatEmojiPicker = defineAsyncComponent(() => import('./ChatEmojiPicker.vue'));
export const ChatGifPicker = defineAsyncComponent(() => import('./ChatGifPicker.vue'));
export const ChatAttachments = defineAsyncComponent(() => import('./ChatAttachments.vue'));
export const ChatYoutube = defineAsyncComponent(() => import('./ChatYoutube.vue'));
