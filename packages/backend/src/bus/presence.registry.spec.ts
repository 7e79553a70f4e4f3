import type { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { MemoryPresenceRegistry, RedisPresenceRegistry } from './presence.registry';

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

/** Just the ioredis calls the registry makes; `down` makes each of them fail as a lost connection does. */
function fakeRedis(state: { down: boolean; pipelineError?: Error }): Redis {
  const reply = async <T>(value: T): Promise<T> => {
    if (state.down) {
      throw new Error('Connection is closed.');
    }
    return value;
  };
  const multi = { del: () => multi, hset: () => multi, zadd: () => multi, exec: () => reply([]) };
  // A pipeline answers per command: the instances, then each HEXISTS (or the error state.pipelineError).
  const pipeline = () => {
    const replies: [Error | null, unknown][] = [];
    const p = {
      get length() {
        return replies.length;
      },
      hset: () => (replies.push([null, 1]), p),
      hdel: () => (replies.push([null, 1]), p),
      zrangebyscore: () => (replies.push([null, ['other-instance']]), p),
      hexists: () => (replies.push([state.pipelineError ?? null, state.pipelineError ? null : 0]), p),
      exec: () => reply(replies),
    };
    return p;
  };
  return {
    multi: () => multi,
    pipeline,
    del: () => reply(1),
    hset: () => reply(1),
    hdel: () => reply(1),
    zrem: () => reply(1),
    zrangebyscore: () => reply(['other-instance']),
  } as unknown as Redis;
}

function capturingLogger() {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines: () => lines.map(({ level, msg, err }) => ({ level, msg, err: err?.message })) };
}

describe(RedisPresenceRegistry.name, () => {
  it('warns once when heartbeats start failing and says when they work again', async () => {
    vi.useFakeTimers();
    const state = { down: false };
    const { logger, lines } = capturingLogger();
    const registry = new RedisPresenceRegistry(fakeRedis(state), 'p:', 'me', logger);
    await registry.start();

    state.down = true;
    await vi.advanceTimersByTimeAsync(15_000);
    state.down = false;
    await vi.advanceTimersByTimeAsync(5_000);

    expect(lines()).toEqual([
      {
        level: 40,
        msg: "presence heartbeat failed; other instances drop this one's users after 20 s without it",
        err: 'Connection is closed.',
      },
      { level: 30, msg: 'presence heartbeat works again; counts rewritten', err: undefined },
    ]);
    await registry.close();
    vi.useRealTimers();
  });

  it('fails a lookup whose pipelined check failed rather than reading the user as offline', async () => {
    const state = { down: false, pipelineError: new Error('LOADING Redis is loading the dataset in memory') };
    const registry = new RedisPresenceRegistry(fakeRedis(state), 'p:', 'me', capturingLogger().logger);

    await expect(registry.onlineAmong([7])).rejects.toThrow(/LOADING/);
    await expect(registry.disconnect(7)).rejects.toThrow(/LOADING/);
  });

  it('logs, and does not throw, when it cannot remove its presence on close', async () => {
    const state = { down: false };
    const { logger, lines } = capturingLogger();
    const registry = new RedisPresenceRegistry(fakeRedis(state), 'p:', 'me', logger);
    state.down = true;

    await expect(registry.close()).resolves.toBeUndefined();

    expect(lines()).toEqual([
      {
        level: 40,
        msg: "could not remove this instance's presence from Redis; others forget its users within 20 s",
        err: 'Connection is closed.',
      },
    ]);
  });
});
