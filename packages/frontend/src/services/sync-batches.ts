import type { ClientMessages } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';

export type SyncRoom = ClientMessages['message.sync']['rooms'][number];

/** Room for the envelope around `data` (`{"type":"message.sync","id":…,"data":{"rooms":[…]}}`). */
const ENVELOPE_BYTES = 128;

/**
 * Splits a resync into message.sync requests the server accepts: at most LIMITS.syncRoomsMax rooms and
 * LIMITS.wsFrameBytes bytes per frame (the server's default frame limit; a larger frame gets FRAME_TOO_LARGE).
 */
export function syncBatches(
  rooms: SyncRoom[],
  maxRooms: number = LIMITS.syncRoomsMax,
  maxBytes: number = LIMITS.wsFrameBytes,
): SyncRoom[][] {
  const batches: SyncRoom[][] = [];
  let batch: SyncRoom[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const room of rooms) {
    // Entries are ASCII (numbers and keys): length is bytes; +1 for the comma.
    const size = JSON.stringify(room).length + 1;
    if (batch.length > 0 && (batch.length >= maxRooms || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = ENVELOPE_BYTES;
    }
    batch.push(room);
    bytes += size;
  }
  if (batch.length > 0) {
    batches.push(batch);
  }
  return batches;
}
