import { describe, expect, it } from 'vitest';
import { MemoryTransferStore, type TransferRecord } from './transfer.store';

const transfer: TransferRecord = {
  id: 'AAAAAAAAAAAAAAAA',
  roomId: 3,
  threadId: null,
  file: { name: 'a.bin', size: 10, type: '', sha256: 'a'.repeat(64) },
  from: { userId: 1, connId: 'alice' },
  offeredAt: 0,
};

describe('MemoryTransferStore', () => {
  it('forgets an offer nobody accepted once its time is up, and each accept pushes that forward', async () => {
    let now = 0;
    const store = new MemoryTransferStore(() => now);
    await store.create(transfer, 1_000);

    now = 900;
    expect(await store.accept(transfer.id, { userId: 2, connId: 'bob' }, 1_000)).toBe(true);
    now = 1_500;
    expect(await store.receiver(transfer.id, 'bob')).toEqual({ userId: 2, connId: 'bob' });
    now = 1_900;
    expect(await store.get(transfer.id)).toBeNull();
    expect(await store.accept(transfer.id, { userId: 2, connId: 'bob' }, 1_000)).toBe(false);
  });

  it('removes a receiver once, and a transfer once', async () => {
    const store = new MemoryTransferStore();
    await store.create(transfer, 1_000);
    await store.accept(transfer.id, { userId: 2, connId: 'bob' }, 1_000);

    expect(await store.removeReceiver(transfer.id, 'bob')).toBe(true);
    expect(await store.removeReceiver(transfer.id, 'bob')).toBe(false);
    expect(await store.delete(transfer.id)).toBe(true);
    expect(await store.delete(transfer.id)).toBe(false);
  });
});
