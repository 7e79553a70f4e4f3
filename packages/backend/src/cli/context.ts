import { AdminService } from '../services/admin.service';
import { InviteRepository } from '../repositories/invite.repository';
import type { DataSource } from 'typeorm';
import { ConfigError, ensureDataDir, loadConfig, type Config } from '../config/config';
import { createDataSource } from '../db/data-source';
import { applyMigrations } from '../db/migrate';
import { createLogger } from '../logger';
import { MessageRepository } from '../repositories/message.repository';
import { RoomRepository } from '../repositories/room.repository';
import { SessionRepository } from '../repositories/session.repository';
import { UserRepository } from '../repositories/user.repository';
import { AccessService } from '../services/access.service';
import { AuthService } from '../services/auth.service';
import { ChannelService } from '../services/channel.service';
import { systemClock } from '../services/clock';
import type { DomainEventBus } from '../services/events';
import { UsageError } from './usage-error';

/** The configuration, or a UsageError listing every bad variable (one per line, as the server does). */
export function cliConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(`bad configuration:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    }
    throw error;
  }
}

/** Opens the configured database; with `migrate` it first applies pending migrations, as a start would. */
export async function openDb(config: Config, { migrate }: { migrate: boolean }): Promise<DataSource> {
  if (config.db.type === 'sqlite' && config.db.path !== ':memory:') {
    for (const { path, mode } of ensureDataDir(config)) {
      console.error(`pychat: ${path} was ${mode} (readable by others); made it private`);
    }
  }
  const dataSource = createDataSource(config.db);
  await dataSource.initialize();
  if (migrate) {
    for (const name of await applyMigrations(dataSource)) {
      console.log(`applied migration ${name}`);
    }
  }
  return dataSource;
}

export async function withDb<T>(config: Config, migrate: boolean, run: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await openDb(config, { migrate });
  try {
    return await run(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** The services the user commands go through, on an open database; `events` carries what they announce. */
export interface CliServices {
  auth: AuthService;
  channels: ChannelService;
  admin: AdminService;
}

export function cliServices(config: Config, dataSource: DataSource, events: DomainEventBus): CliServices {
  const users = new UserRepository(dataSource);
  const rooms = new RoomRepository(dataSource);
  const logger = createLogger('silent', 'cli');
  const auth = new AuthService(users, new SessionRepository(dataSource), events, config.auth, systemClock, logger);
  const access = new AccessService(rooms, new MessageRepository(dataSource));
  return {
    auth,
    channels: new ChannelService(rooms, users, access, events, systemClock, config.limits.channelsPerUser),
    admin: new AdminService(users, new InviteRepository(dataSource), events, systemClock, logger),
  };
}

/** The password from stdin (first line), or null when not asked to read it. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
