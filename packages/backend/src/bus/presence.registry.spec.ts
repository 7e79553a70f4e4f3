import { describe, expect, it } from 'vitest';
import { MemoryPresenceRegistry } from './presence.registry';

describe(MemoryPresenceRegistry.name, () => {
  it('reports only the first connection of a user as a connect', async () => {
    const registry = new MemoryPresenceRegistry();

    await expect(registry.connect(1)).resolves.toBe(true);
    await expect(registry.connect(1)).resolves.toBe(false);
    await expect(registry.connect(2)).resolves.toBe(true);
  });

  it('reports only the last disconnection of a user as a disconnect', async () => {
    const registry = new MemoryPresenceRegistry();
    await registry.connect(1);
    await registry.connect(1);
    await registry.connect(1);

    await expect(registry.disconnect(1)).resolves.toBe(false);
    await expect(registry.disconnect(1)).resolves.toBe(false);
    await expect(registry.disconnect(1)).resolves.toBe(true);
  });

  it('lists users with at least one connection', async () => {
    const registry = new MemoryPresenceRegistry();
    await registry.connect(1);
    await registry.connect(1);
    await registry.connect(2);
    await registry.disconnect(1);
    await registry.connect(3);
    await registry.disconnect(3);

    expect((await registry.online()).sort()).toEqual([1, 2]);
  });

  it('counts a user again from zero after they went offline', async () => {
    const registry = new MemoryPresenceRegistry();
    await registry.connect(1);
    await registry.disconnect(1);

    await expect(registry.connect(1)).resolves.toBe(true);
    await expect(registry.disconnect(1)).resolves.toBe(true);
    expect(await registry.online()).toEqual([]);
  });

  it('forgets everyone on close', async () => {
    const registry = new MemoryPresenceRegistry();
    await registry.connect(1);

    await registry.close();

    expect(await registry.online()).toEqual([]);
    await expect(registry.connect(1)).resolves.toBe(true);
  });
});
