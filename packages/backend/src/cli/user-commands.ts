import { randomBytes } from 'node:crypto';
import { ALL_CHANNEL_ID, ALL_ROOM_ID, Email, Password, Username } from '@pychat/protocol';
import type { DataSource } from 'typeorm';
import { ChannelEntity, SessionEntity, UserEntity } from '../entities';
import { UserRepository } from '../repositories/user.repository';
import { hashPassword, passwordProblem } from '../services/password';
import { cliConfig, readPasswordFromStdin, withDb } from './context';
import { UsageError } from './usage-error';

function check<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  }
  return parsed.data;
}

async function newPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (fromStdin) {
    const password = check<string>(Password, await readPasswordFromStdin());
    const problem = passwordProblem(password);
    if (problem) {
      throw new UsageError(problem);
    }
    return { password, generated: false };
  }
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

/**
 * `pychat create-user NAME [--email E] [--admin]`. Pychat has no site-wide administrator (as in the original,
 * "admin" means a room's or channel's admin), so --admin makes the account the admin of the "all" channel:
 * it may hand the role over (the "all" channel keeps its name).
 */
export async function createUser(
  username: string | undefined,
  options: { email?: string; admin: boolean; passwordStdin: boolean },
): Promise<number> {
  if (!username) {
    throw new UsageError('create-user needs a username');
  }
  const name = check<string>(Username, username);
  const email = options.email === undefined ? null : check<string>(Email, options.email);
  const { password, generated } = await newPassword(options.passwordStdin);
  const config = cliConfig();
  await withDb(config, true, async (ds) => {
    const users = new UserRepository(ds);
    if (await users.findByUsername(name)) {
      throw new UsageError(`username "${name}" is already taken`);
    }
    if (email && (await users.findByEmail(email))) {
      throw new UsageError(`email "${email}" is already used by another account`);
    }
    const user = await users.createWithRoom(
      { username: name, email, passwordHash: await hashPassword(password), sex: 'secret' },
      ALL_ROOM_ID,
      Date.now(),
    );
    if (options.admin) {
      await ds.getRepository(ChannelEntity).update({ id: ALL_CHANNEL_ID }, { adminId: user.id });
    }
    console.log(`created user ${user.username} (id ${user.id})${options.admin ? ', admin of the "all" channel' : ''}`);
  });
  if (generated) {
    console.log(`password: ${password}`);
  }
  return 0;
}

async function findLogin(ds: DataSource, login: string): Promise<UserEntity | null> {
  const users = new UserRepository(ds);
  return login.includes('@') ? users.findByEmail(login) : users.findByUsername(login);
}

/** `pychat reset-password LOGIN`: new password, and every session of the account ends (sign in again). */
export async function resetPassword(login: string | undefined, options: { passwordStdin: boolean }): Promise<number> {
  if (!login) {
    throw new UsageError('reset-password needs a username or email');
  }
  const { password, generated } = await newPassword(options.passwordStdin);
  const config = cliConfig();
  await withDb(config, false, async (ds) => {
    const user = await findLogin(ds, login);
    if (!user) {
      throw new UsageError(`no account with ${login.includes('@') ? 'email' : 'username'} "${login}"`);
    }
    const passwordHash = await hashPassword(password);
    const ended = await ds.transaction(async (manager) => {
      await manager.getRepository(UserEntity).update({ id: user.id }, { passwordHash });
      return (await manager.getRepository(SessionEntity).delete({ userId: user.id })).affected ?? 0;
    });
    console.log(`password of ${user.username} (id ${user.id}) changed; ${ended} session(s) signed out`);
  });
  if (generated) {
    console.log(`password: ${password}`);
  }
  return 0;
}
