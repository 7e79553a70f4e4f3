import { describe, expect, it } from 'vitest';
import { duplicateUserField } from './user.repository';

const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('duplicateUserField', () => {
  it.each([
    ['MariaDB, username', 'ER_DUP_ENTRY', "Duplicate entry 'Bob' for key 'uq_users_username'", 'username'],
    ['MariaDB, email', 'ER_DUP_ENTRY', "Duplicate entry 'B@x.org' for key 'uq_users_email'", 'email'],
    ['MySQL 8, email', 'ER_DUP_ENTRY', "Duplicate entry 'b@x.org' for key 'users.uq_users_email'", 'email'],
    ['SQLite, username', 'SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.username', 'username'],
    ['SQLite, email', 'SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.email', 'email'],
  ])('names the index of a %s duplicate', (_name, code, message, field) => {
    expect(duplicateUserField(driverError(code, message))).toBe(field);
  });

  it('goes by the index, not by a username that looks like one', () => {
    const error = driverError('ER_DUP_ENTRY', "Duplicate entry 'uq_users_email' for key 'uq_users_username'");
    expect(duplicateUserField(error)).toBe('username');
  });

  it.each([
    ['another unique index', driverError('ER_DUP_ENTRY', "Duplicate entry '1-2' for key 'uq_room_members_room_user'")],
    ['another table', driverError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: sessions.token_hash')],
    ['a foreign key', driverError('SQLITE_CONSTRAINT_FOREIGNKEY', 'FOREIGN KEY constraint failed')],
    ['no driver error', new Error('connection lost')],
  ])('is null for %s', (_name, error) => {
    expect(duplicateUserField(error)).toBeNull();
  });
});
