import { randomBytes } from 'node:crypto';
import { ALL_CHANNEL_ID, ALL_ROOM_ID, Email, Password, Username } from '@pychat/protocol';
import type { DataSource } from 'typeorm';
import { ChannelEntity, SessionEntity, UserEntity } from '../entities';
import { RedisBus } from '../bus/redis.bus';
import type { Config } from '../config/config';
import { createLogger } from '../logger';
import { UserRepository } from '../repositories/user.repository';
import { DomainEventBus } from '../services/events';
import { FanoutService } from '../services/fanout.service';
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

/**
 * Closes the open sockets of ended sessions on every running instance, over Redis when configured. Without
 * Redis (embedded mode) there is no channel to them: each instance's periodic session check closes them
 * within PYCHAT_WS_SESSION_CHECK_MS.
 */
async function announceEndedSessions(config: Config, sessionIds: number[]): Promise<void> {
  if (sessionIds.length === 0) {
    return;
  }
  if (!config.redis) {
    console.log(
      `open connections of those sessions close within ${config.ws.sessionCheckMs} ms (PYCHAT_WS_SESSION_CHECK_MS)`,
    );
    return;
  }
  const bus = new RedisBus(config.redis.url, config.redis.prefix, createLogger('silent', 'cli'));
  let failed: unknown = null;
  const events = new DomainEventBus((_name, error) => {
    failed = error;
  });
  new FanoutService(bus).register(events);
  try {
    await bus.connect();
    await events.emit('session.ended', { sessionIds, reason: 'password-reset' });
  } catch (error) {
    failed = error;
  } finally {
    await bus.close();
  }
  if (failed) {
    console.log(
      `could not reach Redis (${failed instanceof Error ? failed.message : String(failed)}); open connections ` +
        `of those sessions close within ${config.ws.sessionCheckMs} ms instead`,
    );
  } else {
    console.log('open connections of those sessions were closed');
  }
}

/** `pychat reset-password LOGIN`: new password, and every session of the account ends (sign in again). */
export async function resetPassword(
  login: string | undefined,
  options: { passwordStdin: boolean },
  config: Config = cliConfig(),
): Promise<number> {
  if (!login) {
    throw new UsageError('reset-password needs a username or email');
  }
  const { password, generated } = await newPassword(options.passwordStdin);
  let ended: number[] = [];
  await withDb(config, false, async (ds) => {
    const user = await findLogin(ds, login);
    if (!user) {
      throw new UsageError(`no account with ${login.includes('@') ? 'email' : 'username'} "${login}"`);
    }
    const passwordHash = await hashPassword(password);
    ended = await ds.transaction(async (manager) => {
      await manager.getRepository(UserEntity).update({ id: user.id }, { passwordHash });
      const sessions = manager.getRepository(SessionEntity);
      const ids = (await sessions.find({ select: { id: true }, where: { userId: user.id } })).map((s) => s.id);
      await sessions.delete({ userId: user.id });
      return ids;
    });
    console.log(`password of ${user.username} (id ${user.id}) changed; ${ended.length} session(s) signed out`);
  });
  await announceEndedSessions(config, ended);
  if (generated) {
    console.log(`password: ${password}`);
  }
  return 0;
}
