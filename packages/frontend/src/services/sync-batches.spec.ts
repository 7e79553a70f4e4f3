import { LIMITS } from '@pychat/protocol/constants';
import { describe, expect, it } from 'vitest';
import { syncBatches, type SyncRoom } from './sync-batches';

const frameBytes = (rooms: SyncRoom[]) =>
  new TextEncoder().encode(JSON.stringify({ type: 'message.sync', id: Number.MAX_SAFE_INTEGER, data: { rooms } }))
    .length;

describe('syncBatches', () => {
  it('splits 2,500 rooms into frames that each fit the server’s limits, keeping every room once, in order', () => {
    const rooms = Array.from({ length: 2_500 }, (_, i) => ({
      roomId: Number.MAX_SAFE_INTEGER - i,
      lastMessageId: Number.MAX_SAFE_INTEGER - i,
      since: Number.MAX_SAFE_INTEGER,
    }));

    const batches = syncBatches(rooms);

    expect(batches.length).toBeGreaterThanOrEqual(5);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(LIMITS.syncRoomsMax);
      expect(frameBytes(batch)).toBeLessThanOrEqual(LIMITS.wsFrameBytes);
    }
    expect(batches.flat()).toEqual(rooms);
  });

  it('cuts by bytes when entries are larger than the count alone allows', () => {
    const rooms = Array.from({ length: 100 }, (_, i) => ({ roomId: i + 1, lastMessageId: 0, since: 0 }));
    const batches = syncBatches(rooms, 500, 1_000);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      expect(frameBytes(batch)).toBeLessThanOrEqual(1_000);
    }
  });

  it('sends nothing for no rooms', () => {
    expect(syncBatches([])).toEqual([]);
  });
});
