import { ALL_ROOM_ID } from '@pychat/protocol';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../db/data-source';
import { applyMigrations } from '../db/migrate';
import { isDeadlock, isUniqueViolation, WriteConflictError } from './driver-errors';
import { DuplicateMessageError, MessageRepository, searchPlan } from './message.repository';
import { UserRepository } from './user.repository';

const driverError = (code: string) => Object.assign(new Error(code), { code });

describe('driver error codes', () => {
  it.each(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT'])('%s is a unique violation', (code) => {
    expect(isUniqueViolation(driverError(code))).toBe(true);
  });

  it('tells a deadlock from the rest', () => {
    expect(isDeadlock(driverError('ER_LOCK_DEADLOCK'))).toBe(true);
    expect(isDeadlock(driverError('ER_DUP_ENTRY'))).toBe(false);
    expect(isUniqueViolation(driverError('SQLITE_CONSTRAINT_FOREIGNKEY'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });

  it('keeps the driver error as the cause of a write conflict', () => {
    const cause = driverError('ER_LOCK_DEADLOCK');
    expect(new WriteConflictError(cause).cause).toBe(cause);
  });
});

/** The real statements on SQLite: a service sees the domain error, not the dialect's code. */
describe('searchPlan', () => {
  it('quotes every word for FTS5, the last one as a prefix, and never passes the syntax through', () => {
    expect(searchPlan('Deploy NEAR(prod) "x" AND *', 'sqlite')).toEqual({
      match: '"deploy" "near" "prod" "x" "and"',
      likes: ['%near(prod)%', '%"x"%', '%*%'],
    });
    expect(searchPlan('deplo.', 'sqlite')).toEqual({ match: '"deplo"*', likes: ['%deplo.%'] });
    expect(searchPlan('  ', 'sqlite')).toEqual({ match: null, likes: [] });
    expect(searchPlan('100% _', 'sqlite')).toEqual({ match: '"100"', likes: ['%100!%%', '%!_%'] });
  });

  it("leaves MariaDB's short words and stopwords to LIKE, and falls back when no word is left", () => {
    expect(searchPlan('the snake_case of it', 'mysql')).toEqual({
      match: '+snake_case',
      likes: ['%the%', '%of%', '%it%'],
    });
    expect(searchPlan('-deploy +prod*', 'mysql')).toEqual({
      match: '+deploy +prod*',
      likes: ['%-deploy%', '%+prod*%'],
    });
    expect(searchPlan(`${'x'.repeat(85)} abc`, 'mysql')).toEqual({ match: '+abc*', likes: [`%${'x'.repeat(85)}%`] });
    expect(searchPlan('ok go', 'mysql')).toEqual({ match: null, likes: ['%ok%', '%go%'] });
  });
});

describe(`${MessageRepository.name}.insert`, () => {
  let dataSource: DataSource;
  let messages: MessageRepository;
  let senderId: number;

  beforeAll(async () => {
    dataSource = createDataSource({ type: 'sqlite', path: ':memory:' });
    await dataSource.initialize();
    await applyMigrations(dataSource);
    const user = await new UserRepository(dataSource).createWithRoom(
      { username: 'ann', email: null, passwordHash: null, sex: 'secret' },
      ALL_ROOM_ID,
      1,
    );
    senderId = user.id;
    messages = new MessageRepository(dataSource);
  });
  afterAll(() => dataSource.destroy());

  it.each([
    ['plain (one statement)', [] as number[]],
    ['with mentions (transaction)', 'self' as const],
  ])('reports a second insert of the same localId as DuplicateMessageError: %s', async (_, mentions) => {
    const localId = `l-${String(mentions)}`;
    const message = { roomId: ALL_ROOM_ID, senderId, content: 'hi', localId, parentId: null, createdAt: 2 };
    const mentioned = mentions === 'self' ? [senderId] : mentions;
    expect(await messages.insert(message, mentioned)).not.toBeNull();

    const error: unknown = await messages.insert(message, mentioned).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DuplicateMessageError);
    expect(isUniqueViolation((error as Error).cause)).toBe(true);
  });
});
