import type { SessionEntity, UserEntity } from '../../src/entities';

// Ids start high so a factory row never collides with the seeded "all" room/channel (id 1) by accident.
let nextUserId = 100;
let nextSessionId = 100;

/** A password user who signed up a while ago and is online (never seen offline). */
export function makeUser(overrides: Partial<UserEntity> = {}): UserEntity {
  const id = overrides.id ?? nextUserId++;
  return {
    id,
    username: `user${id}`,
    email: `user${id}@example.test`,
    emailVerified: false,
    passwordHash: null,
    sex: 'secret',
    thumbnail: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    lastSeenAt: null,
    isAdmin: false,
    deactivatedAt: null,
    status: null,
    statusText: null,
    ...overrides,
  };
}

export function makeSession(overrides: Partial<SessionEntity> = {}): SessionEntity {
  const id = overrides.id ?? nextSessionId++;
  return {
    id,
    userId: 100,
    tokenHash: 'f'.repeat(64),
    createdAt: 1_700_000_000_000,
    lastUsedAt: 1_700_000_000_000,
    userAgent: null,
    ip: null,
    ...overrides,
  };
}
