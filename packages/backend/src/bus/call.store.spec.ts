import { describe, expect, it } from 'vitest';
import { MemoryCallStore, type CallRecord } from './call.store';

const call: CallRecord = {
  id: 'AAAAAAAAAAAAAAAA',
  roomId: 10,
  video: false,
  startedBy: { userId: 1, connId: 'a' },
  startedAt: 0,
};

// The Redis store runs the same paths in the MariaDB/Redis medium run (calls.spec.ts) and the SIGKILL e2e case.
describe(MemoryCallStore.name, () => {
  it('keeps one call per room: a second start gets the running call id', async () => {
    const store = new MemoryCallStore();

    await expect(store.create(call, 100)).resolves.toBeNull();
    await expect(store.create({ ...call, id: 'BBBBBBBBBBBBBBBB' }, 100)).resolves.toBe(call.id);
    await expect(store.inRooms([10, 11])).resolves.toEqual([call]);
  });

  it('refuses a join past the peer cap, and a second join of one device', async () => {
    const store = new MemoryCallStore();
    await store.create(call, 100);

    await expect(store.join(call.id, { userId: 2, connId: 'b' }, 100, 2)).resolves.toBe('joined');
    await expect(store.join(call.id, { userId: 2, connId: 'b' }, 100, 3)).resolves.toBe('already');
    await expect(store.join(call.id, { userId: 3, connId: 'c' }, 100, 2)).resolves.toBe('full');
    await expect(store.join('CCCCCCCCCCCCCCCC', { userId: 3, connId: 'c' }, 100, 2)).resolves.toBe('gone');
  });

  it('sweeps peers whose deadline nobody pushed, once, and ends the call with its last', async () => {
    const store = new MemoryCallStore();
    await store.create(call, 100);
    await store.join(call.id, { userId: 2, connId: 'b' }, 100, 8);
    await store.touch([{ callId: call.id, connId: 'a' }], 500);

    await expect(store.sweep(200)).resolves.toEqual([
      { callId: call.id, roomId: 10, peer: { userId: 2, connId: 'b' }, ended: false },
    ]);
    await expect(store.sweep(200)).resolves.toEqual([]);
    await expect(store.sweep(600)).resolves.toEqual([
      { callId: call.id, roomId: 10, peer: { userId: 1, connId: 'a' }, ended: true },
    ]);
    await expect(store.get(call.id)).resolves.toBeNull();
    await expect(store.inRooms([10])).resolves.toEqual([]);
  });
});
