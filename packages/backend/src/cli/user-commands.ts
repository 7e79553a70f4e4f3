import { randomBytes } from 'node:crypto';
import { ALL_CHANNEL_ID, Email, Password, Username } from '@pychat/protocol';
import { RedisBus } from '../bus/redis.bus';
import type { Config } from '../config/config';
import { AppError } from '../errors';
import { createLogger } from '../logger';
import { DomainEventBus } from '../services/events';
import { FanoutService } from '../services/fanout.service';
import { passwordProblem } from '../services/password';
import { cliConfig, cliServices, readPasswordFromStdin, withDb } from './context';
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
 * `pychat create-user NAME [--email E] [--admin]`. --admin makes the account a site admin (the /admin page:
 * users, invite links) and the admin of the "all" channel, which it may hand over.
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
    // Nothing listens: the command runs beside the server, which shows the account at its clients' next connect.
    const { auth, channels, admin } = cliServices(config, ds, new DomainEventBus());
    const user = await plainWords(auth.createAccount({ username: name, email, password }));
    if (options.admin) {
      await channels.makeAdmin(ALL_CHANNEL_ID, user.id);
      await admin.grantByOperator(user.id);
    }
    console.log(
      `created user ${user.username} (id ${user.id})${options.admin ? ', site admin and admin of the "all" channel' : ''}`,
    );
  });
  if (generated) {
    console.log(`password: ${password}`);
  }
  return 0;
}

/** A service's refusal (name taken, password policy) as the operator's error line: `username "x" is already taken`. */
async function plainWords<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppError) {
      throw new UsageError(error.message.charAt(0).toLowerCase() + error.message.slice(1));
    }
    throw error;
  }
}

/**
 * Where the services' session.ended goes: to every running instance over Redis when configured, which closes
 * the open sockets of those sessions. Without Redis (embedded mode) there is no channel to them: each
 * instance's periodic session check closes them within PYCHAT_WS_SESSION_CHECK_MS.
 */
function revocationChannel(config: Config): {
  events: DomainEventBus;
  report(endedSessions: number): Promise<void>;
} {
  let failed: unknown = null;
  const record = (_name: string, error: unknown) => {
    failed = error;
  };
  const events = new DomainEventBus(record);
  const opened: RedisBus[] = [];
  const redis = config.redis;
  if (redis) {
    // Connected only when there is something to announce, as the server's own fan-out would publish it.
    events.on('session.ended', async (payload) => {
      const bus = new RedisBus(redis.url, redis.prefix, createLogger('silent', 'cli'));
      opened.push(bus);
      await bus.connect();
      const fanout = new DomainEventBus(record);
      new FanoutService(bus).register(fanout);
      await fanout.emit('session.ended', payload);
    });
  }
  const report = async (endedSessions: number) => {
    await Promise.all(opened.map((bus) => bus.close()));
    if (endedSessions === 0) {
      return;
    }
    if (!redis) {
      console.log(
        `open connections of those sessions close within ${config.ws.sessionCheckMs} ms (PYCHAT_WS_SESSION_CHECK_MS)`,
      );
    } else if (failed) {
      console.log(
        `could not reach Redis (${failed instanceof Error ? failed.message : String(failed)}); open connections ` +
          `of those sessions close within ${config.ws.sessionCheckMs} ms instead`,
      );
    } else {
      console.log('open connections of those sessions were closed');
    }
  };
  return { events, report };
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
  const revocation = revocationChannel(config);
  let ended = 0;
  try {
    await withDb(config, false, async (ds) => {
      const reset = await plainWords(cliServices(config, ds, revocation.events).auth.resetPassword(login, password));
      if (!reset) {
        throw new UsageError(`no account with ${login.includes('@') ? 'email' : 'username'} "${login}"`);
      }
      ended = reset.endedSessions;
      console.log(`password of ${reset.user.username} (id ${reset.user.id}) changed; ${ended} session(s) signed out`);
    });
  } finally {
    await revocation.report(ended);
  }
  if (generated) {
    console.log(`password: ${password}`);
  }
  return 0;
}
