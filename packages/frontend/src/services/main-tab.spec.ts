import { describe, expect, it } from 'vitest';
import { MainTab, type Locks } from './main-tab';

/** navigator.locks for one lock name, as the browser behaves: exclusive, granted in request order. */
class FakeLocks implements Locks {
  #held = false;
  readonly #queue: (() => void)[] = [];

  request(_name: string, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((done) => {
      const run = () => {
        this.#held = true;
        void callback().then(() => {
          this.#held = false;
          done(undefined);
          this.#queue.shift()?.();
        });
      };
      if (this.#held) {
        this.#queue.push(run);
      } else {
        run();
      }
    });
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('MainTab', () => {
  it('elects one tab of several, and the next one when the main tab goes away', async () => {
    const locks = new FakeLocks();
    const first = new MainTab(locks);
    const second = new MainTab(locks);
    const third = new MainTab(locks);
    void first.start();
    void second.start();
    void third.start();
    await flush();
    expect([first.isMain, second.isMain, third.isMain]).toEqual([true, false, false]);

    const changes: boolean[] = [];
    second.onChange((isMain) => changes.push(isMain));
    first.stop();
    await flush();
    expect([first.isMain, second.isMain, third.isMain]).toEqual([false, true, false]);
    expect(changes).toEqual([true]);
  });

  it('counts every tab as main where the browser has no Web Locks', async () => {
    const tab = new MainTab(undefined);
    await tab.start();
    expect(tab.isMain).toBe(true);
  });
});
