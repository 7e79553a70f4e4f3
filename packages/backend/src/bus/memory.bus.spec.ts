import { describe, expect, it, vi } from 'vitest';
import { MemoryBus } from './memory.bus';

describe(MemoryBus.name, () => {
  it('hands every published message to every subscriber once, in publish order', async () => {
    const bus = new MemoryBus();
    const first = vi.fn();
    const second = vi.fn();
    await bus.subscribe(first);
    await bus.subscribe(second);

    await bus.publish('a');
    await bus.publish('b');

    expect(first.mock.calls).toEqual([['a'], ['b']]);
    expect(second.mock.calls).toEqual([['a'], ['b']]);
  });

  it('delivers to the publishing instance itself (one process is the only instance)', async () => {
    const bus = new MemoryBus();
    const received: string[] = [];
    await bus.subscribe((message) => received.push(message));

    await bus.publish('{"room":1}\n{"type":"message.new"}');

    // By the time publish resolves, local sockets have the frame: the sender's reply never overtakes it.
    expect(received).toEqual(['{"room":1}\n{"type":"message.new"}']);
  });

  it('is always up and says it is the memory bus', () => {
    const bus = new MemoryBus();

    expect(bus.kind).toBe('memory');
    expect(bus.state()).toBe('up');
  });

  it('delivers nothing after close', async () => {
    const bus = new MemoryBus();
    const handler = vi.fn();
    await bus.subscribe(handler);

    await bus.close();
    await bus.publish('late');

    expect(handler).not.toHaveBeenCalled();
  });
});
