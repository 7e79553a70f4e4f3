import { ref, type Ref } from 'vue';

/** Chromium's `beforeinstallprompt` event (not in the DOM typings: other browsers do not have it). */
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

/**
 * The browser's "install this app" prompt. Chromium offers it once, early, with `beforeinstallprompt`; the
 * event is kept so that the welcome card can show it when the user asks, instead of the browser's mini-bar.
 */
export class InstallService {
  /** True while the browser lets the page show its install prompt. */
  readonly available: Ref<boolean> = ref(false);
  private deferred: InstallPromptEvent | null = null;

  constructor(target: Pick<Window, 'addEventListener'>) {
    target.addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.deferred = event as InstallPromptEvent;
      this.available.value = true;
    });
    target.addEventListener('appinstalled', () => {
      this.deferred = null;
      this.available.value = false;
    });
  }

  /** Shows the prompt; true when the user installed the app. The browser allows each event to be used once. */
  async prompt(): Promise<boolean> {
    const deferred = this.deferred;
    if (!deferred) {
      return false;
    }
    this.deferred = null;
    this.available.value = false;
    await deferred.prompt();
    return (await deferred.userChoice).outcome === 'accepted';
  }
}
