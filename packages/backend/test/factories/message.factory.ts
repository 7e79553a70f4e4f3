import type { MessageEntity } from '../../src/entities';

let nextMessageId = 1000;

/** A live top-level message, never edited. */
export function makeMessage(overrides: Partial<MessageEntity> = {}): MessageEntity {
  const id = overrides.id ?? nextMessageId++;
  const createdAt = overrides.createdAt ?? 1_700_000_000_000 + id;
  return {
    id,
    roomId: 100,
    senderId: 100,
    content: `message ${id}`,
    localId: `local-${id}`,
    parentId: null,
    threadCount: 0,
    symbol: null,
    createdAt,
    updatedAt: createdAt,
    editedAt: null,
    deletedAt: null,
    pinnedAt: null,
    pinnedBy: null,
    replyToId: null,
    ...overrides,
  };
}
