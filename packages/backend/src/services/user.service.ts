import type {
  ClientMessages,
  ClientReplies,
  ProfileDto,
  ProfileUpdate,
  UserDto,
  UserSettingsDto,
} from '@pychat/protocol';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';
import type { UserEntity, UserProfileEntity, UserSettingsEntity } from '../entities';
import { AppError } from '../errors';
import { DuplicateUserError, type UserRepository } from '../repositories/user.repository';

/**
 * The URL of a user's avatar thumbnail from the storage key kept in `users.thumbnail`. A new avatar gets a new
 * key, so the URL changes with it and the year-long cache of the old one never shows a stale picture.
 */
export function avatarUrl(userId: number, key: string | null): string | null {
  return key === null ? null : `/api/users/${userId}/avatar/${key}`;
}

/** `status` / `statusText` only when set: most users are available, and the directory goes to every client. */
function statusFields(status: UserEntity['status'], text: string | null): Pick<UserDto, 'status' | 'statusText'> {
  return { ...(status === null ? {} : { status }), ...(text === null ? {} : { statusText: text }) };
}

export function toUserDto(user: UserEntity): UserDto {
  return {
    id: user.id,
    username: user.username,
    sex: user.sex,
    thumbnail: avatarUrl(user.id, user.thumbnail),
    lastSeenAt: user.lastSeenAt,
    ...statusFields(user.status ?? null, user.statusText ?? null),
  };
}

export function toSettingsDto(settings: UserSettingsEntity): UserSettingsDto {
  return {
    showWhenITyping: settings.showWhenITyping,
    embeddedYoutube: settings.embeddedYoutube,
    highlightCode: settings.highlightCode,
    messageSound: settings.messageSound,
    incomingFileCallSound: settings.incomingFileCallSound,
    onlineChangeSound: settings.onlineChangeSound,
    logs: settings.logs,
    theme: settings.theme,
  };
}

function toProfileDto(user: UserEntity, profile: UserProfileEntity | null, withEmail: boolean): ProfileDto {
  return {
    userId: user.id,
    username: user.username,
    email: withEmail ? user.email : null,
    emailVerified: withEmail && user.emailVerified,
    name: profile?.name ?? null,
    surname: profile?.surname ?? null,
    city: profile?.city ?? null,
    birthday: profile?.birthday ?? null,
    contacts: profile?.contacts ?? null,
    sex: user.sex,
  };
}

const DIRECTORY_CLOCK_SKEW_MS = 60_000;

/** Users of a Pychat server are one company: everyone may list everyone (the "all" room). */
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly events?: DomainEventBus,
    private readonly clock: Clock = Date.now,
  ) {}

  /**
   * Changes my profile; everyone gets `user.updated` (the directory is everyone's), so open profile pages and
   * names in the chat change live. A username another account has in any case: USERNAME_TAKEN (a change of
   * only the case of my own is allowed).
   */
  async updateProfile(userId: number, patch: ProfileUpdate): Promise<ProfileDto> {
    const user = await this.users.findById(userId);
    if (!user) {
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    }
    const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ProfileUpdate;
    if (changes.username !== undefined) {
      const holder = await this.users.findByUsername(changes.username);
      if (holder && holder.id !== userId) {
        throw new AppError('USERNAME_TAKEN', `Username "${changes.username}" is already taken`);
      }
    }
    try {
      await this.users.updateProfile(userId, changes, this.clock());
    } catch (error) {
      if (error instanceof DuplicateUserError) {
        throw new AppError('USERNAME_TAKEN', `Username "${changes.username}" is already taken`);
      }
      throw error;
    }
    const updated = (await this.users.findById(userId)) ?? user;
    await this.events?.emit('user.updated', { user: toUserDto(updated) });
    return toProfileDto(updated, await this.users.findProfile(userId), true);
  }

  /**
   * Sets or clears (`available`) my status and its text; everyone gets `user.updated`, my own tabs included, so
   * each of my devices goes quiet under `dnd` (and PushService skips me).
   */
  async setStatus(userId: number, input: ClientMessages['status.set']): Promise<ClientReplies['status.set']> {
    const status = input.status === 'available' ? null : input.status;
    await this.users.setStatus(userId, status, input.text ?? null, this.clock());
    const user = await this.users.findById(userId);
    if (!user) {
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    }
    const dto = toUserDto(user);
    await this.events?.emit('user.updated', { user: dto });
    return { user: dto };
  }

  /** Saves the given settings and tells my other tabs. */
  async updateSettings(userId: number, patch: Partial<UserSettingsDto>): Promise<UserSettingsDto> {
    await this.users.updateSettings(userId, patch);
    const settings = await this.settings(userId);
    await this.events?.emit('settings.updated', { userId, settings });
    return settings;
  }

  async list(): Promise<UserDto[]> {
    return this.directory(null);
  }

  /**
   * The whole directory, or the users created or changed since a client's last session.ready. Instances'
   * clocks may differ a little, so the window reaches back DIRECTORY_CLOCK_SKEW_MS further (a few extra users
   * are harmless: clients merge).
   */
  async directory(since: number | null): Promise<UserDto[]> {
    const rows = await this.users.directory(since === null ? null : since - DIRECTORY_CLOCK_SKEW_MS);
    return rows.map((row) => ({
      id: Number(row.id),
      username: row.username,
      sex: row.sex,
      thumbnail: avatarUrl(Number(row.id), row.thumbnail),
      lastSeenAt: row.lastSeenAt === null ? null : Number(row.lastSeenAt),
      ...statusFields(row.status ?? null, row.statusText ?? null),
    }));
  }

  /** Someone's profile; the email only for its owner. */
  async profile(viewerId: number, userId: number): Promise<ProfileDto> {
    const user = await this.users.findById(userId);
    if (!user) {
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    }
    return toProfileDto(user, await this.users.findProfile(userId), viewerId === userId);
  }

  async settings(userId: number): Promise<UserSettingsDto> {
    const settings = await this.users.findSettings(userId);
    if (!settings) {
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    }
    return toSettingsDto(settings);
  }
}
