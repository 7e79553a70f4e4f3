/** Who plays sounds and shows notifications when several tabs of this browser are open. */
export interface TabRole {
  readonly isMain: boolean;
}

/** The Web Locks API, as far as the election uses it (navigator.locks). */
export interface Locks {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
}

const LOCK_NAME = 'pychat.main-tab';

/**
 * The original's "main tab", elected with a Web Lock: the first tab to ask holds the lock for as long as it
 * lives, the others wait in line for it, and the browser hands it to the next one when the holder closes or
 * crashes (no heartbeat, no stale leader). Without Web Locks every tab counts as main, as before.
 */
export class MainTab implements TabRole {
  #isMain: boolean;
  #release: (() => void) | null = null;
  readonly #listeners = new Set<(isMain: boolean) => void>();

  constructor(private readonly locks: Locks | undefined = globalThis.navigator?.locks) {
    this.#isMain = locks === undefined;
  }

  get isMain(): boolean {
    return this.#isMain;
  }

  /** Joins the election; the returned promise settles once this tab is main. */
  start(): Promise<void> {
    if (!this.locks) {
      return Promise.resolve();
    }
    return new Promise<void>((elected) => {
      void this.locks?.request(LOCK_NAME, () => {
        this.#set(true);
        elected();
        // Held until stop() or the tab goes away.
        return new Promise<void>((release) => {
          this.#release = release;
        });
      });
    });
  }

  /** Gives the role up (the next waiting tab takes it). */
  stop(): void {
    this.#release?.();
    this.#release = null;
    this.#set(false);
  }

  onChange(listener: (isMain: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(value: boolean): void {
    if (this.#isMain !== value) {
      this.#isMain = value;
      for (const listener of this.#listeners) {
        listener(value);
      }
    }
  }
}
